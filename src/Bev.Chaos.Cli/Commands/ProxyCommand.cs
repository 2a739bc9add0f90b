using System.CommandLine;
using System.Net;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Proxy.Api;
using Bev.Chaos.Server;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary><c>bev-chaos proxy [--listen URL]</c>: the fault proxy with its Toxiproxy-compatible API, alone.</summary>
internal static class ProxyCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen")
        {
            Description = "Where the Toxiproxy-compatible API listens.",
            DefaultValueFactory = _ => ToxiproxyServer.DefaultUrl,
        };
        var command = new Command("proxy", """
            Run the L4 fault proxy with its Toxiproxy-compatible HTTP API (existing Toxiproxy clients work unchanged) until Ctrl-C.
            Example: bev-chaos proxy --listen http://127.0.0.1:8474
            """)
        {
            listen,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            var url = parse.GetValue(listen)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                throw new ChaosValidationException("--listen", url, "an http:// URL, e.g. http://127.0.0.1:8474");
            }

            // The same policy as under serve: --config's auth.tokens and proxy: limits; mutating calls go to the data directory's audit log.
            var configuration = EngineSession.LoadConfiguration(parse);
            if (configuration.ApiTokens.Count == 0 && !(uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip))))
            {
                throw new ChaosValidationException("--listen", url, "a loopback address, unless auth.tokens are configured (--config): the API must not be open to other hosts");
            }

            await using var store = ChaosStore.Open(parse.GetValue(CliOptions.DataDir) ?? ChaosStore.DefaultDataDirectory());
            await using var proxies = new ProxyCollection();
            ToxiproxyServer server;
            try
            {
                var options = ListenerPolicies.ForToxiproxyApi(configuration, new AuditLog(store), TimeProvider.System);
                server = await ToxiproxyServer.StartAsync(proxies, options, url, parse.GetValue(CliOptions.LogLevelOption), token).ConfigureAwait(false);
            }
            catch (ProxyException ex)
            {
                throw Translate(ex, "--listen", url);
            }

            await using (server.ConfigureAwait(false))
            {
                AnsiConsole.MarkupLine($"fault proxy: Toxiproxy-compatible API at [bold]{Markup.Escape(server.Url.ToString())}[/] — Ctrl-C to stop");
                await CommandRunner.WaitForStopAsync(token).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    /// <summary>A start that failed: bound beyond loopback without tokens is invalid input (exit 2), anything else a failure.</summary>
    public static Exception Translate(ProxyException ex, string option, string url) =>
        ex.Status == 400
            ? new ChaosValidationException(ex.Field ?? option, ex.Value ?? url, $"a loopback address, unless auth.tokens are configured (whatever set it: {option}, a configuration file, Kestrel__* or ASPNETCORE_URLS); "
                + (ex.Message.EndsWith("nothing was bound", StringComparison.Ordinal) ? "nothing was bound" : "the server was stopped at once"))
            : new InvalidOperationException(ex.Message, ex);
}
