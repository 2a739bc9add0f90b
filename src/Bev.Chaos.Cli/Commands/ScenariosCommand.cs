using System.CommandLine;
using Bev.Chaos.Scenarios;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary><c>bev-chaos scenarios [list|show NAME]</c> and <c>bev-chaos suites</c>.</summary>
internal static class ScenariosCommand
{
    public static Command Create()
    {
        var output = CliOptions.Output();
        var files = new Option<string[]>("--scenarios") { Description = "Extra scenarios.yaml files or directories to load." };
        var action = new Argument<string>("ACTION") { Description = "list or show", DefaultValueFactory = _ => "list" };
        action.AcceptOnlyFromAmong("list", "show");
        var name = new Argument<string?>("NAME") { Description = "The scenario to show.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("scenarios", """
            List the scenario library (built-in and loaded), or show one scenario's steps.
            Example: bev-chaos scenarios show network_latency_light
            """)
        {
            action, name, output, files,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(token =>
        {
            var library = Load(parse.GetValue(files));
            var json = CommandRunner.IsJson(parse, output);
            if (parse.GetValue(action) == "show")
            {
                var scenarioName = parse.GetValue(name) ?? throw new ChaosValidationException("NAME", null, "a scenario name");
                var scenario = library.GetScenario(scenarioName) ?? throw new ChaosValidationException("NAME", scenarioName, "one of " + string.Join(", ", library.Scenarios.Select(s => s.Name)));
                Show(scenario, json);
                return Task.FromResult(ExitCodes.Success);
            }

            if (json)
            {
                Console.Out.WriteLine(JsonOutput.Serialize(library.Scenarios.Select(s => new { s.Name, s.Description, s.Category, s.Complexity, s.SafetyLevel, s.TargetServices, steps = s.Steps.Count })));
                return Task.FromResult(ExitCodes.Success);
            }

            var table = new Table().AddColumns("scenario", "category", "complexity", "safety", "targets", "description");
            foreach (var s in library.Scenarios)
            {
                table.AddRow(s.Name, s.Category.ToString().ToLowerInvariant(), s.Complexity.ToString().ToLowerInvariant(), s.SafetyLevel.ToString().ToLowerInvariant(), Markup.Escape(string.Join(", ", s.TargetServices)), Markup.Escape(s.Description));
            }

            AnsiConsole.Write(table);
            return Task.FromResult(ExitCodes.Success);
        }, ct));
        return command;
    }

    public static Command CreateSuites()
    {
        var output = CliOptions.Output();
        var command = new Command("suites", """
            List the scenario suites and their scenarios.
            Example: bev-chaos suites --output json
            """)
        {
            output,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(token =>
        {
            var library = new ScenarioLibrary();
            if (CommandRunner.IsJson(parse, output))
            {
                Console.Out.WriteLine(JsonOutput.Serialize(library.Suites.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(s => s.Key, s => s.Value)));
                return Task.FromResult(ExitCodes.Success);
            }

            var table = new Table().AddColumns("suite", "scenarios");
            foreach (var (suite, names) in library.Suites.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                table.AddRow(suite, string.Join(", ", names));
            }

            AnsiConsole.Write(table);
            return Task.FromResult(ExitCodes.Success);
        }, ct));
        return command;
    }

    internal static ScenarioLibrary Load(IEnumerable<string>? paths)
    {
        var library = new ScenarioLibrary();
        foreach (var path in paths ?? [])
        {
            library.Load(path);
        }

        return library;
    }

    private static void Show(ScenarioDefinition scenario, bool json)
    {
        var experiment = ScenarioCompiler.Compile(scenario);
        if (json)
        {
            Console.Out.WriteLine(JsonOutput.Serialize(new { scenario, experiment = new { fault_injections = experiment.FaultInjections.Select(RunCommand.FaultJson), experiment.Loads, injection_duration = experiment.InjectionDuration } }));
            return;
        }

        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(scenario.Name)}[/] — {Markup.Escape(scenario.Description)}");
        AnsiConsole.MarkupLine($"category {scenario.Category.ToString().ToLowerInvariant()}, complexity {scenario.Complexity.ToString().ToLowerInvariant()}, safety {scenario.SafetyLevel.ToString().ToLowerInvariant()}, targets {Markup.Escape(string.Join(", ", scenario.TargetServices))}");
        RunCommand.PrintTimeline(experiment);
    }
}
