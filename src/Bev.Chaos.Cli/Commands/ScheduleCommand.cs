using System.CommandLine;
using Bev.Chaos.Experiments;
using Bev.Chaos.Scenarios;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary><c>bev-chaos schedule</c>: runs the configured <c>schedules:</c> in the foreground until Ctrl-C.</summary>
internal static class ScheduleCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--scenarios") { Description = "Extra scenarios.yaml files or directories to load." };
        var command = new Command("schedule", """
            Run the recurring experiments of the configuration's schedules: (cron, UTC) until Ctrl-C; a schedule never overlaps itself.
            Example: bev-chaos schedule --config chaos.yaml
            """)
        {
            files,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            var library = ScenariosCommand.Load(parse.GetValue(files));
            await using var session = await EngineSession.OpenAsync(parse, CancellationToken.None).ConfigureAwait(false);
            var errors = session.Configuration.Schedules
                .Where(s => library.GetScenario(s.Scenario) is null && !library.Suites.ContainsKey(s.Scenario))
                .Select(s => new ValidationError($"schedules.{s.Name}.scenario", s.Scenario, "a scenario or suite of the library"))
                .ToList();
            if (errors.Count > 0)
            {
                throw new ChaosValidationException(errors);
            }

            if (!session.Configuration.Schedules.Any(s => s.Enabled))
            {
                throw new ChaosValidationException("schedules", null, "at least one enabled schedule in the configuration (--config)");
            }

            session.Engine.StartCatalog();
            await using var scheduler = new ExperimentScheduler(session.Configuration.Schedules, async (name, runToken) =>
            {
                var scenarios = library.Suites.ContainsKey(name) ? library.GetScenarioSuite(name) : [library.GetScenario(name)!];
                foreach (var scenario in scenarios)
                {
                    var result = await session.Engineer.RunExperimentAsync(ScenarioCompiler.Compile(scenario), runToken).ConfigureAwait(false);
                    AnsiConsole.MarkupLine($"{Markup.Escape(result.Name)}: {result.Verdict.ToString().ToLowerInvariant()} — {Markup.Escape(string.Join("; ", result.Reasons))}");
                }
            });
            foreach (var (name, next, _, _) in scheduler.Status)
            {
                AnsiConsole.MarkupLine($"schedule {Markup.Escape(name)}: next run {next:yyyy-MM-dd HH:mm} UTC");
            }

            await CommandRunner.WaitForStopAsync(token).ConfigureAwait(false);

            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
