using System.CommandLine;
using System.Globalization;
using Bev.Chaos.Faults;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary><c>bev-chaos inject INJECTOR --target TARGET …</c>: one fault in the foreground until it expires or Ctrl-C.</summary>
internal static class InjectCommand
{
    public static Command Create()
    {
        var injector = new Argument<string>("INJECTOR") { Description = "The fault type, e.g. cpu_stress, service_pause, disk_fill (see 'bev-chaos faults --injectors')." };
        var target = new Option<string>("--target", "-t") { Description = "A catalog service, pid:N or name:PROCESS_NAME.", Required = true };
        var profile = new Option<string?>("--profile", "-p") { Description = "A preset, e.g. cpu_stress_light." };
        var parameters = new Option<string[]>("--param") { Description = "A parameter as KEY=VALUE; repeat for more.", AllowMultipleArgumentsPerToken = false };
        var duration = new Option<string?>("--duration", "-d") { Description = "How long, e.g. 30s, 5m (default: the profile's or 60s; capped by configuration)." };
        var output = CliOptions.Output();
        var server = CliOptions.Server();
        var bearer = CliOptions.Token();
        var command = new Command("inject", """
            Inject one fault and hold it in the foreground with live progress until it expires or Ctrl-C; then remove it.
            Example: bev-chaos inject cpu_stress --target name:nginx --param load_percent=50 --duration 30s
            """)
        {
            injector, target, profile, parameters, duration, output, server, bearer,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            var pairs = CommandRunner.ParseParameters(parse.GetValue(parameters));
            var length = CommandRunner.ParseDuration(parse.GetValue(duration));
            using var remote = ServerClient.From(parse.GetValue(server), parse.GetValue(bearer));
            if (remote is not null)
            {
                var body = new System.Text.Json.Nodes.JsonObject
                {
                    ["injector_name"] = parse.GetValue(injector),
                    ["target_service"] = parse.GetValue(target),
                    ["profile_name"] = parse.GetValue(profile),
                    ["parameters"] = new System.Text.Json.Nodes.JsonObject(pairs.Select(p => KeyValuePair.Create(p.Key, (System.Text.Json.Nodes.JsonNode?)System.Text.Json.Nodes.JsonValue.Create(p.Value?.ToString())))),
                };
                if (length is { } d)
                {
                    body["duration_seconds"] = d.TotalSeconds;
                }

                var created = await remote.SendAsync(HttpMethod.Post, "/faults", body, token).ConfigureAwait(false);
                await Console.Out.WriteLineAsync(CommandRunner.IsJson(parse, output) ? created!.ToJsonString() : created!["fault_id"]!.ToString()).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            await using var session = await EngineSession.OpenAsync(parse, CancellationToken.None).ConfigureAwait(false);
            var json = CommandRunner.IsJson(parse, output);
            var targetName = parse.GetValue(target)!;
            var id = await session.Manager.InjectFaultAsync(parse.GetValue(injector)!, targetName, parse.GetValue(profile), pairs, length, CancellationToken.None).ConfigureAwait(false);
            var fault = session.Manager.ActiveFaults.Single(f => f.FaultId == id);
            if (json)
            {
                await Console.Out.WriteLineAsync(JsonOutput.Serialize(new { fault_id = id, injector_name = fault.Injector, target_service = fault.Target, expires_at = fault.ExpiresAt })).ConfigureAwait(false);
            }
            else
            {
                AnsiConsole.MarkupLine($"[green]injected[/] {CommandRunner.Escape(id)} ([bold]{CommandRunner.Escape(fault.Injector)}[/] on {CommandRunner.Escape(targetName)}), expires {fault.ExpiresAt.ToLocalTime():HH:mm:ss}; Ctrl-C removes it");
            }

            var pid = fault.TargetProcesses.Count > 0 ? fault.TargetProcesses[0].Pid : 0;
            await HoldAsync(session.Manager, fault, pid, json, token).ConfigureAwait(false);
            var stillLive = session.Manager.ActiveFaults.Any(f => f.FaultId == id);
            if (stillLive)
            {
                await session.Manager.RemoveFaultAsync(id, CancellationToken.None).ConfigureAwait(false);
            }

            if (!json)
            {
                AnsiConsole.MarkupLine($"[green]removed[/] {CommandRunner.Escape(id)}{(token.IsCancellationRequested ? " (Ctrl-C)" : stillLive ? string.Empty : " (removed elsewhere or expired)")}");
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static async Task HoldAsync(FaultInjectionManager manager, ActiveFault fault, int pid, bool json, CancellationToken token)
    {
        var probe = pid > 0 ? new EffectProbe(pid) : null;
        var total = (fault.ExpiresAt - fault.CreatedAt).TotalSeconds;
        bool Live() => manager.ActiveFaults.Any(f => f.FaultId == fault.FaultId);
        if (json || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            while (Live() && !token.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            return;
        }

        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(fault.Injector, maxValue: total);
                while (Live() && !token.IsCancellationRequested)
                {
                    var left = fault.Remaining(TimeProvider.System.GetUtcNow());
                    task.Value = total - left.TotalSeconds;
                    task.Description = $"{fault.Injector} · {left.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)}s left · {CommandRunner.Escape(probe?.Describe() ?? string.Empty)}";
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(250), TimeProvider.System, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                task.Value = total;
            }).ConfigureAwait(false);
    }
}
