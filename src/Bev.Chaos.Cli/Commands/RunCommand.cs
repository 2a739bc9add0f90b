using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bev.Chaos.Events;
using Bev.Chaos.Experiments;
using Bev.Chaos.Persistence;
using Bev.Chaos.Reporting;
using Bev.Chaos.Resilience;
using Bev.Chaos.Scenarios;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary>
/// <c>bev-chaos run SCENARIO|SUITE|FILE.yaml [--dry-run] [--report DIR]</c>: runs scenarios as
/// experiments. Exit 0 = every hypothesis held, 1 = deviated or failed, 2 = aborted or invalid.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var what = new Argument<string>("SCENARIO") { Description = "A scenario or suite name from the library, a scenarios.yaml file (every scenario in it runs), or a Chaos Toolkit experiment.json/.yaml." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the resolved plan (targets, faults, timings, safety checks) and touch nothing." };
        var report = new Option<string?>("--report") { Description = "Directory for the reports: resilience.json (the journal), report.html and junit.xml, plus the experiments' result JSON." };
        var loadUrl = new Option<Uri?>("--load-url") { Description = "With --report: measure each scenario as a resilience test under constant load against this http:// URL (default: the catalog health_url of the target the first fault hits; without one, the steady-state probes are the measure)." };
        var rate = new Option<double>("--rate") { Description = "With --report and a load URL: requests per second.", DefaultValueFactory = _ => 50 };
        var baseline = new Option<string>("--baseline") { Description = "With --report and a load URL: length of the baseline phase.", DefaultValueFactory = _ => "10s" };
        var validation = new Option<string>("--validation") { Description = "With --report and a load URL: length of the validation phase.", DefaultValueFactory = _ => "10s" };
        var files = new Option<string[]>("--scenarios") { Description = "Extra scenarios.yaml files or directories to load first." };
        var bind = new Option<string[]>("--bind") { Description = "SERVICE=TARGET (repeatable): run the scenario's SERVICE against TARGET for this run — a catalog name, pid:N, name:PROCESS_NAME, docker:CONTAINER or agent:HOST/SERVICE." };
        var output = CliOptions.Output();
        var command = new Command("run", """
            Run a scenario, a suite or a scenarios.yaml file as experiments: baseline, injection, recovery, validation; rollback always.
            A Chaos Toolkit experiment (experiment.json, or YAML with a method) runs too, writing journal.json to --report (default: here).
            Exit codes: 0 every hypothesis held, 1 deviated/failed, 2 aborted or invalid input.
            With --report DIR each scenario runs as a resilience test (baseline, failure, recovery, validation under load) and DIR gets resilience.json, report.html and junit.xml.
            Example: bev-chaos run network_latency_light --config chaos.yaml --dry-run
            Example: bev-chaos run basic_resilience --config chaos.yaml --report reports/
            Example: bev-chaos run network_latency_light --config config/demo.yaml --dry-run
            Example: bev-chaos run service_crash --bind data-collector=pid:4242
            """)
        {
            what, dryRun, report, loadUrl, rate, baseline, validation, files, bind, output,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            var library = ScenariosCommand.Load(parse.GetValue(files));
            var name = parse.GetValue(what)!;
            if (IsChaosToolkitExperiment(name))
            {
                return await RunChaosToolkitAsync(name, parse.GetValue(report), parse.GetValue(dryRun), CommandRunner.IsJson(parse, output), token).ConfigureAwait(false);
            }

            var scenarios = Select(library, name);
            var bindings = ScenarioBinding.Parse(parse.GetValue(bind) ?? []);
            var baselineDuration = CommandRunner.ParseDuration(parse.GetValue(baseline), "--baseline")!.Value;
            var validationDuration = CommandRunner.ParseDuration(parse.GetValue(validation), "--validation")!.Value;
            await using var session = await EngineSession.OpenAsync(parse, CancellationToken.None).ConfigureAwait(false);
            var compiled = scenarios.Select(s => ScenarioCompiler.Compile(s)).ToList();

            // Every service must be bound or in the catalog; the error says how. Reported with
            // every other problem of the experiments, all at once.
            var problems = new List<ValidationError>();
            try
            {
                ScenarioBinding.Check(compiled, bindings, session.Configuration.Targets);
            }
            catch (ChaosValidationException ex)
            {
                problems.AddRange(ex.Errors);
            }

            var catalog = session.Configuration.Targets;
            var experiments = compiled.Select(e => ScenarioBinding.Apply(e, bindings))
                .Select(e => e with { SteadyStateProbes = [.. e.SteadyStateProbes.Select(p => p.ForCatalog(catalog))], Loads = [.. e.Loads.Select(l => l.ForCatalog(catalog))] })
                .ToList();

            // Managed targets must be running before their processes can be resolved and validated.
            session.Engine.StartCatalog();
            foreach (var experiment in experiments)
            {
                try
                {
                    ExperimentValidator.Validate(experiment, session.Manager, session.Configuration.Targets);
                }
                catch (ChaosValidationException ex)
                {
                    problems.AddRange(ex.Errors);
                }
            }

            if (problems.Count > 0)
            {
                throw new ChaosValidationException(problems);
            }

            var json = CommandRunner.IsJson(parse, output);
            if (parse.GetValue(dryRun))
            {
                PrintPlan(session, experiments, json);
                return ExitCodes.Success;
            }

            // The services run just started must answer before a baseline judges them.
            await session.Engine.WaitForSupervisedTargetsHealthyAsync(token).ConfigureAwait(false);
            await session.Engineer.InitializeAsync(token).ConfigureAwait(false);
            using var events = session.Manager.Events.Subscribe();
            var printer = json ? Task.CompletedTask : PrintEventsAsync(events, token);
            var results = new List<ExperimentResult>();
            var reports = new List<ResilienceReport>();
            var reportDirectory = parse.GetValue(report);
            var tester = new ResilienceTester(session.Engine, library);
            foreach (var experiment in experiments)
            {
                var url = reportDirectory is null ? null : parse.GetValue(loadUrl) ?? ResilienceTester.MeasuredUrl(session.Configuration, experiment);
                if (url is not null)
                {
                    reports.Add(await tester.RunResilienceTestAsync(new ResilienceTestConfig
                    {
                        Name = experiment.Name,
                        TargetServices = experiment.TargetServices,
                        FailureExperiments = [experiment],
                        LoadUrl = url,
                        Rate = parse.GetValue(rate),
                        BaselineDuration = baselineDuration,
                        ValidationDuration = validationDuration,
                        Progress = json ? null : new InlineProgress<ResilienceProgress>(p => AnsiConsole.MarkupLine($"[blue]{Markup.Escape(experiment.Name)}[/]: {p.Phase} — {Markup.Escape(p.Detail)}")),
                    }, token).ConfigureAwait(false));
                }
                else
                {
                    var result = await session.Engineer.RunExperimentAsync(experiment, token).ConfigureAwait(false);
                    results.Add(result);
                    reports.Add(ExperimentReport.From(result));
                }

                if (token.IsCancellationRequested)
                {
                    break;
                }
            }

            if (reportDirectory is not null)
            {
                Directory.CreateDirectory(reportDirectory);
                foreach (var result in results)
                {
                    await File.WriteAllTextAsync(Path.Combine(reportDirectory, $"experiment-{result.Name}.json"), JsonSerializer.Serialize(result, ExperimentStore.Json), CancellationToken.None).ConfigureAwait(false);
                }

                var written = ReportFiles.Write(reportDirectory, reports);
                if (!json)
                {
                    ReportCommand.Summarize(reports);
                    AnsiConsole.MarkupLine($"reports: {Markup.Escape(written.Journal)}, {Markup.Escape(written.Html)}, {Markup.Escape(written.JUnit)}");
                }
                else
                {
                    await Console.Out.WriteLineAsync(ReportJson.Serialize(reports)).ConfigureAwait(false);
                }

                return reports.Any(r => r.Verdict == ResilienceVerdict.Error) || results.Any(r => r.Verdict is ExperimentVerdict.Aborted or ExperimentVerdict.Interrupted) ? ExitCodes.InvalidInput
                    : reports.Any(r => r.Verdict == ResilienceVerdict.Failed) ? ExitCodes.Failure
                    : ExitCodes.Success;
            }

            if (json)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(results, ExperimentStore.Json)).ConfigureAwait(false);
            }
            else
            {
                Summarize(results);
            }

            return results.Any(r => r.Verdict is ExperimentVerdict.Aborted or ExperimentVerdict.Interrupted) ? ExitCodes.InvalidInput
                : results.Any(r => r.Verdict == ExperimentVerdict.Failed) ? ExitCodes.Failure
                : ExitCodes.Success;
        }, ct));
        return command;
    }

    private static IReadOnlyList<ScenarioDefinition> Select(ScenarioLibrary library, string name)
    {
        if (name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal) || File.Exists(name))
        {
            return library.Load(name);
        }

        if (library.Suites.ContainsKey(name))
        {
            return library.GetScenarioSuite(name);
        }

        return library.GetScenario(name) is { } scenario
            ? [scenario]
            : throw new ChaosValidationException("SCENARIO", name, "a scenario (" + string.Join(", ", library.Scenarios.Select(s => s.Name)) + "), a suite (" + string.Join(", ", library.Suites.Keys) + ") or a .yaml file");
    }

    // A Chaos Toolkit experiment: any .json, or a YAML file whose top level has a method.
    private static bool IsChaosToolkitExperiment(string path) =>
        File.Exists(path) && (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            || Bev.Chaos.Configuration.InputFile.ReadText(path, "SCENARIO").Split('\n').Any(l => l.StartsWith("method:", StringComparison.Ordinal)));

    private static async Task<int> RunChaosToolkitAsync(string path, string? reportDirectory, bool dryRun, bool json, CancellationToken token)
    {
        var experiment = Bev.Chaos.Experiments.ChaosToolkit.ChaosToolkitDocument.Load(path);
        if (dryRun)
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(experiment["title"]!.ToString())}[/] (Chaos Toolkit experiment, dry run: nothing is touched)");
            foreach (var activity in experiment["method"]!.AsArray())
            {
                AnsiConsole.MarkupLine($"  method: {Markup.Escape(activity?["name"]?.ToString() ?? activity?["ref"]?.ToString() ?? "?")} ({Markup.Escape(activity?["provider"]?["type"]?.ToString() ?? "ref")})");
            }

            return ExitCodes.Success;
        }

        using var runner = new Bev.Chaos.Experiments.ChaosToolkit.ChaosToolkitRunner(TimeProvider.System);
        var journal = await runner.RunAsync(experiment, token).ConfigureAwait(false);
        var directory = reportDirectory ?? Directory.GetCurrentDirectory();
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "journal.json");
        await File.WriteAllTextAsync(file, journal.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), CancellationToken.None).ConfigureAwait(false);
        if (json)
        {
            await Console.Out.WriteLineAsync(journal.ToJsonString()).ConfigureAwait(false);
        }
        else
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(experiment["title"]!.ToString())}[/]: status {journal["status"]}, deviated {journal["deviated"]}; journal at {Markup.Escape(file)}");
        }

        return Bev.Chaos.Experiments.ChaosToolkit.ChaosToolkitRunner.ExitCode(journal);
    }

    /// <summary>A fault of a plan in the original vocabulary, as POST /faults and experiment bodies spell it.</summary>
    internal static object FaultJson(FaultInjectionSpec f) => new
    {
        injector_name = f.InjectorName,
        target_service = f.TargetService,
        profile_name = f.ProfileName,
        parameters = f.Parameters,
        offset_seconds = f.Offset.TotalSeconds,
        duration_seconds = f.Duration.TotalSeconds,
        step = f.Name,
    };

    internal static void PrintTimeline(ExperimentConfig experiment)
    {
        var table = new Table().AddColumns("at", "for", "fault", "target", "profile / parameters");
        foreach (var f in experiment.FaultInjections.OrderBy(f => f.Offset))
        {
            table.AddRow(DurationText.Format(f.Offset), DurationText.Format(f.Duration), f.InjectorName, Markup.Escape(f.TargetService),
                Markup.Escape(string.Join(", ", new[] { f.ProfileName }.Concat(f.Parameters.Select(p => $"{p.Key}={p.Value}")).OfType<string>())));
        }

        foreach (var l in experiment.Loads)
        {
            table.AddRow(DurationText.Format(l.Offset), DurationText.Format(l.Duration), "load", Markup.Escape(l.Url?.ToString() ?? l.Target ?? ""), $"{l.Rate.ToString(CultureInfo.InvariantCulture)} req/s");
        }

        AnsiConsole.Write(table);
    }

    private static void PrintPlan(EngineSession session, IReadOnlyList<ExperimentConfig> experiments, bool json)
    {
        var safety = session.Configuration.Safety;
        if (json)
        {
            Console.Out.WriteLine(JsonOutput.Serialize(experiments.Select(e => new
            {
                e.Name,
                safety_level = e.SafetyLevel,
                targets = e.FaultInjections.Select(f => f.TargetService).Distinct().ToDictionary(t => t, t => session.Targets.Resolve(t).Processes.Select(p => p.Pid)),
                faults = e.FaultInjections.Select(FaultJson),
                loads = e.Loads,
                probes = e.SteadyStateProbes,
                phases = new { baseline = e.BaselineDuration.TotalSeconds, injection = e.InjectionDuration.TotalSeconds, recovery_window = e.RecoveryWindow.TotalSeconds, validation = e.ValidationDuration.TotalSeconds },
            })));
            return;
        }

        foreach (var e in experiments)
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(e.Name)}[/] (dry run: nothing is touched) — safety level {e.SafetyLevel.ToString().ToLowerInvariant()}");
            foreach (var target in e.FaultInjections.Select(f => f.TargetService).Distinct())
            {
                var resolved = session.Targets.Resolve(target);
                var containers = resolved.Containers.Count == 0 ? "" : $"container {string.Join(", ", resolved.Containers.Select(c => $"{c.Name} ({c.Id[..Math.Min(12, c.Id.Length)]})"))}, ";
                AnsiConsole.MarkupLine($"  target {Markup.Escape(target)} → {Markup.Escape(containers)}pid {string.Join(", ", resolved.Processes.Select(p => p.Pid))}");
            }

            AnsiConsole.MarkupLine($"  phases: baseline {DurationText.Format(e.BaselineDuration)}, injection {DurationText.Format(e.InjectionDuration)}, recovery within {DurationText.Format(e.RecoveryWindow)}, validation {DurationText.Format(e.ValidationDuration)}");
            PrintTimeline(e);
            AnsiConsole.MarkupLine($"  steady state: {(e.SteadyStateProbes.Count == 0 ? "no probes" : string.Join(", ", e.SteadyStateProbes.Select(p => Markup.Escape($"{p.Name} ({p.Kind.ToString().ToLowerInvariant()} {(object?)p.Url ?? p.Host ?? p.Target}{(p.Port > 0 ? ":" + p.Port : "")})"))))}");
            // What the run will use: the experiment's abort conditions replace the thresholds, and the interval is the one the safety watch samples at.
            var thresholds = e.AbortConditions ?? safety;
            AnsiConsole.MarkupLine($"  safety checks every {DurationText.Format(SafetyWatch.IntervalFor(e, session.Configuration))}: cpu ≤ {thresholds.MaxCpuUsage}%, memory ≤ {thresholds.MaxMemoryUsage}%, error rate ≤ {thresholds.MaxErrorRate}%, response time ≤ {DurationText.Format(thresholds.MaxResponseTime)}; auto rollback {(thresholds.AutoRollbackEnabled ? "on" : "off")}{(e.AbortConditions is null ? "" : " (the experiment's abort_conditions)")}");
            if (e.SafetyLevel == SafetyLevel.Critical && safety.RequireApprovalForCritical)
            {
                AnsiConsole.MarkupLine("  [yellow]needs approval[/] (critical): it waits in awaiting_approval until approved");
            }
        }
    }

    internal static async Task PrintEventsAsync(ChaosEventStream.Subscription events, CancellationToken token)
    {
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                var line = e switch
                {
                    ExperimentPhaseEvent p => $"[blue]{Markup.Escape(p.Name)}[/]: {p.Phase.ToString().ToLowerInvariant()}",
                    FaultInjectedEvent i => $"  [green]+[/] {i.InjectorName} on {Markup.Escape(i.TargetService)} ({i.FaultId})",
                    FaultRemovedEvent r => $"  [grey]-[/] {r.InjectorName} on {Markup.Escape(r.TargetService)} ({r.Reason.ToString().ToLowerInvariant()})",
                    SafetyBreachEvent b => $"  [red]safety breach[/]: {b.Threshold} {b.Observed:0.###} > {b.Limit:0.###}",
                    _ => null,
                };
                if (line is not null)
                {
                    AnsiConsole.MarkupLine(line);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal static void Summarize(IReadOnlyList<ExperimentResult> results)
    {
        var table = new Table().AddColumns("experiment", "verdict", "faults (effect seen)", "availability base → faults", "time to recover", "reasons");
        foreach (var r in results)
        {
            var colour = r.Verdict switch { ExperimentVerdict.Passed => "green", ExperimentVerdict.Failed => "red", _ => "yellow" };
            var seen = r.Impact.Faults.Count(f => f.Effect == FaultEffectiveness.Visible);
            table.AddRow(Markup.Escape(r.Name), $"[{colour}]{r.Verdict.ToString().ToLowerInvariant()}[/]", $"{r.Faults.Count} ({seen})",
                $"{Percent(r.Impact.BaselineAvailability)} → {Percent(r.Impact.AvailabilityDuringFaults)}",
                r.TimeToRecover is { } t ? $"{t.TotalMilliseconds:0} ms" : "-", Markup.Escape(string.Join("; ", r.Reasons)));
        }

        AnsiConsole.Write(table);

        // What each fault counted and how each measured metric moved, phase by phase: an
        // http_abort's affected requests beside the retries its target's client made for them.
        foreach (var r in results)
        {
            if (r.AutoRecoveryResponseTime is { } autoRecovery)
            {
                AnsiConsole.MarkupLine(Markup.Escape($"{r.Name}: auto-recovery system healthy {autoRecovery.TotalMilliseconds:0} ms after the last removal"));
            }

            foreach (var fault in r.Faults.Where(f => f.Measurements is { Count: > 0 }))
            {
                AnsiConsole.MarkupLine(Markup.Escape($"{r.Name}: {fault.InjectorName} on {fault.TargetService} counted " + string.Join(", ", fault.Measurements!.Select(m => $"{m.Key} {m.Value}"))));
            }

            foreach (var metric in r.MetricChanges.GroupBy(c => c.Probe, StringComparer.Ordinal))
            {
                AnsiConsole.MarkupLine(Markup.Escape($"{r.Name}: {metric.Key} " + string.Join(" · ", metric.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Phase.ToString().ToLowerInvariant()} {c.Change:+0.###;-0.###;+0}")))));
            }
        }
    }

    private static string Percent(double? share) => share is { } s ? (s * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "-";
}
