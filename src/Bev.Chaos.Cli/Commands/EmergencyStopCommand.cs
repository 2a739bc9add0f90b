using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary><c>bev-chaos emergency-stop</c>: removes every active fault of every engine at once.</summary>
internal static class EmergencyStopCommand
{
    public static Command Create()
    {
        var output = CliOptions.Output();
        var server = CliOptions.Server();
        var bearer = CliOptions.Token();
        var release = new Option<bool>("--release") { Description = "Release the safety lock an emergency stop engaged, so faults may be injected again." };
        var command = new Command("emergency-stop", """
            Remove every active fault of every bev-chaos process on this data directory at once, abort running
            experiments, and engage the safety lock that refuses new faults until released.
            Example: bev-chaos emergency-stop        (and later: bev-chaos emergency-stop --release)
            """)
        {
            output, release, server, bearer,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            var started = Stopwatch.GetTimestamp();
            using var remote = ServerClient.From(parse.GetValue(server), parse.GetValue(bearer));
            if (remote is not null)
            {
                var answer = await remote.SendAsync(parse.GetValue(release) ? HttpMethod.Delete : HttpMethod.Post, "/emergency-stop", null, CancellationToken.None).ConfigureAwait(false);
                await Console.Out.WriteLineAsync(answer?.ToJsonString() ?? "{}").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            await using var session = await EngineSession.OpenAsync(parse, CancellationToken.None).ConfigureAwait(false);
            if (parse.GetValue(release))
            {
                await session.SafetyLock.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
                AnsiConsole.MarkupLine("safety lock released: faults may be injected again");
                return ExitCodes.Success;
            }

            var removed = await session.Manager.EmergencyStopAsync(CancellationToken.None).ConfigureAwait(false);
            var took = Stopwatch.GetElapsedTime(started);
            if (CommandRunner.IsJson(parse, output))
            {
                await Console.Out.WriteLineAsync(JsonOutput.Serialize(new { faults_removed = removed, milliseconds = Math.Round(took.TotalMilliseconds, 1) })).ConfigureAwait(false);
            }
            else
            {
                AnsiConsole.MarkupLine($"[red bold]emergency stop[/]: removed {removed} fault(s) in {took.TotalMilliseconds:F0} ms; safety lock engaged (release: bev-chaos emergency-stop --release)");
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
