using System.CommandLine;
using Bev.Chaos.Proxy;
using Bev.Chaos.Proxy.Api;
using Microsoft.Extensions.Logging;
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

            await using var proxies = new ProxyCollection();
            ToxiproxyServer server;
            try
            {
                server = await ToxiproxyServer.StartAsync(proxies, url, parse.GetValue(CliOptions.LogLevelOption), token).ConfigureAwait(false);
            }
            catch (ProxyException ex)
            {
                throw new InvalidOperationException(ex.Message, ex);
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
}
