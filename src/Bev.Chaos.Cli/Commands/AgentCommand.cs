using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using Bev.Chaos.Configuration;
using Bev.Chaos.Scenarios;
using Bev.Chaos.Server;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary>
/// <c>bev-chaos agent [--controller URL] [--listen URL] [--token T] [--name N]</c>: executes faults on
/// this host for a controller, each under a lease the controller renews, and heartbeats.
/// </summary>
internal static class AgentCommand
{
    public const string DefaultUrl = "http://127.0.0.1:8181";

    /// <summary>The lease of a fault whose request names none: an agent never holds a fault without a dead-man switch.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "Where the agent's API listens.", DefaultValueFactory = _ => DefaultUrl };
        var controller = new Option<string?>("--controller") { Description = "The controller to heartbeat to (its chaos API), e.g. http://10.0.0.1:8080." };
        var token = new Option<string?>("--token") { Description = "The bearer token the controller must send (default: $BEV_CHAOS_AGENT_TOKEN); 16 characters or more." };
        var name = new Option<string?>("--name") { Description = "This agent's name in agent:NAME/SERVICE targets (default: the host name)." };
        var command = new Command("agent", """
            Run as an agent: execute faults on this host for a controller. Every fault a controller injects carries a lease
            that the controller renews; when renewals stop (controller crash, network partition) the agent removes the fault
            by itself within the lease (30 s when the request names none). The agent keeps its own journal, so a restart reverts too. Ctrl-C removes everything.
            Example: BEV_CHAOS_AGENT_TOKEN=$(cat token) bev-chaos agent --listen http://10.0.0.2:8181 --controller http://10.0.0.1:8080
            """)
        {
            listen, controller, token, name,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async cancellation =>
        {
            var secret = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("BEV_CHAOS_AGENT_TOKEN");
            if (secret is null || secret.Length < 16)
            {
                throw new ChaosValidationException("--token", secret is null ? null : "(too short)", "a secret of 16 characters or more (--token or BEV_CHAOS_AGENT_TOKEN): an agent never runs unauthenticated");
            }

            var url = parse.GetValue(listen)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var listenUri) || listenUri.Scheme != Uri.UriSchemeHttp)
            {
                throw new ChaosValidationException("--listen", url, "an http:// URL, e.g. " + DefaultUrl);
            }

            Uri? controllerUri = null;
            if (parse.GetValue(controller) is { } c && !(Uri.TryCreate(c, UriKind.Absolute, out controllerUri) && controllerUri.Scheme is "http" or "https"))
            {
                throw new ChaosValidationException("--controller", c, "the controller's http:// address");
            }

            var agentName = parse.GetValue(name) ?? Environment.MachineName;
            var configuration = EngineSession.LoadConfiguration(parse) with { ApiTokens = [new ApiToken("controller", secret, ApiRole.Admin)] };
            await using var session = await EngineSession.OpenAsync(parse, CancellationToken.None, configuration, structuredLogs: true).ConfigureAwait(false);
            await using var server = await ChaosServer.StartAsync(session.Engine, new ScenarioLibrary(), new ChaosServerOptions { DefaultFaultLease = DefaultLease }, url, parse.GetValue(CliOptions.LogLevelOption), cancellation).ConfigureAwait(false);
            AnsiConsole.MarkupLine($"agent [bold]{Markup.Escape(agentName)}[/] at {Markup.Escape(server.Url.ToString())}{(controllerUri is null ? string.Empty : $", heartbeating to {Markup.Escape(controllerUri.ToString())}")} — Ctrl-C to stop");
            var heartbeat = controllerUri is null ? Task.CompletedTask : HeartbeatAsync(controllerUri, agentName, server.Url, secret, cancellation);
            await CommandRunner.WaitForStopAsync(cancellation).ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    // Every 5 s; a controller that is down or unreachable is simply tried again.
    private static async Task HeartbeatAsync(Uri controller, string name, Uri self, string token, CancellationToken cancellation)
    {
        using var http = new HttpClient { BaseAddress = controller, Timeout = TimeSpan.FromSeconds(3) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Environment.GetEnvironmentVariable("BEV_CHAOS_CONTROLLER_TOKEN") ?? token);
        var body = $$"""{"name":{{System.Text.Json.JsonSerializer.Serialize(name)}},"url":{{System.Text.Json.JsonSerializer.Serialize(self.ToString())}}}""";
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                using var response = await http.PostAsync("agents/heartbeat", new StringContent(body, Encoding.UTF8, "application/json"), cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), TimeProvider.System, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
