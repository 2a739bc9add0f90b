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
        var command = new Command("emergency-stop", """
            Remove every active fault of every bev-chaos process on this data directory, at once.
            Example: bev-chaos emergency-stop
            """)
        {
            output,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            var started = Stopwatch.GetTimestamp();
            await using var session = await EngineSession.OpenAsync(parse, CancellationToken.None).ConfigureAwait(false);
            var removed = await session.Manager.EmergencyStopAsync(CancellationToken.None).ConfigureAwait(false);
            var took = Stopwatch.GetElapsedTime(started);
            if (CommandRunner.IsJson(parse, output))
            {
                await Console.Out.WriteLineAsync(JsonOutput.Serialize(new { faults_removed = removed, milliseconds = Math.Round(took.TotalMilliseconds, 1) })).ConfigureAwait(false);
            }
            else
            {
                AnsiConsole.MarkupLine($"[red bold]emergency stop[/]: removed {removed} fault(s) in {took.TotalMilliseconds:F0} ms");
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
