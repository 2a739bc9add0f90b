using System.CommandLine;
using System.Net;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Proxy.Api;
using Bev.Chaos.Scenarios;
using Bev.Chaos.Server;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary><c>bev-chaos serve [--config FILE] [--urls URL] [--log-level LEVEL]</c>: the chaos API, the Toxiproxy-compatible API beside it, the catalog's targets and proxies.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where the chaos API listens (loopback only in this version).", DefaultValueFactory = _ => ChaosServer.DefaultUrl };
        var toxiproxy = new Option<string>("--toxiproxy-url") { Description = "Where the Toxiproxy-compatible API listens.", DefaultValueFactory = _ => ToxiproxyServer.DefaultUrl };
        var files = new Option<string[]>("--scenarios") { Description = "Extra scenarios.yaml files or directories to load." };
        var command = new Command("serve", """
            Run the engine as a server: the chaos HTTP API, the Toxiproxy-compatible API over the same fault proxies,
            the catalog's supervised targets and proxies; until Ctrl-C, which removes every fault it holds.
            Example: bev-chaos serve --config chaos.yaml --urls http://127.0.0.1:8080
            """)
        {
            urls, toxiproxy, files,
        };
        urls.Description = "Where the chaos API listens (loopback, unless auth.tokens are configured).";
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            var configuration = EngineSession.LoadConfiguration(parse);
            var api = Address(parse.GetValue(urls)!, "--urls", configuration.ApiTokens.Count > 0);
            var proxyApi = Address(parse.GetValue(toxiproxy)!, "--toxiproxy-url", configuration.ApiTokens.Count > 0);
            var library = ScenariosCommand.Load(parse.GetValue(files));
            await using var session = await EngineSession.OpenAsync(parse, CancellationToken.None, configuration, structuredLogs: true).ConfigureAwait(false);
            session.Engine.StartCatalog();
            await using var server = await ChaosServer.StartAsync(session.Engine, library, api, parse.GetValue(CliOptions.LogLevelOption), token).ConfigureAwait(false);
            ToxiproxyServer toxi;
            try
            {
                var options = ListenerPolicies.ForToxiproxyApi(configuration, new AuditLog(session.Store), TimeProvider.System);
                toxi = await ToxiproxyServer.StartAsync(session.Proxies, options, proxyApi, parse.GetValue(CliOptions.LogLevelOption), token).ConfigureAwait(false);
            }
            catch (ProxyException ex)
            {
                throw ProxyCommand.Translate(ex, "--toxiproxy-url", proxyApi);
            }

            await using (toxi.ConfigureAwait(false))
            {
                AnsiConsole.MarkupLine($"dashboard and chaos API at [bold]{Markup.Escape(server.Url.ToString())}[/], Toxiproxy-compatible API at [bold]{Markup.Escape(toxi.Url.ToString())}[/] — Ctrl-C to stop");
                await CommandRunner.WaitForStopAsync(token).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    // Beyond loopback only with bearer tokens; the address actually bound is checked again after start.
    private static string Address(string url, string field, bool tokensExist)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ChaosValidationException(field, url, "an http:// URL, e.g. http://127.0.0.1:8080");
        }

        if (!tokensExist && !(uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip))))
        {
            throw new ChaosValidationException(field, url, field == "--urls"
                ? "a loopback address, unless auth.tokens are configured: a server reachable from other hosts must not be open to everyone"
                : "a loopback address, unless auth.tokens are configured (they guard the Toxiproxy API too)");
        }

        return url;
    }
}
