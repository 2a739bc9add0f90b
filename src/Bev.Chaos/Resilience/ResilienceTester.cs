using System.Globalization;
using Bev.Chaos.Experiments;
using Bev.Chaos.Scenarios;
using Bev.Chaos.Targets;
using Bev.Chaos.Load;

namespace Bev.Chaos.Resilience;

/// <summary>
/// Measures how a service bears faults: constant-rate load through preparation, baseline, stress,
/// failure (the scenarios' faults through <see cref="ChaosEngineer"/>), recovery, validation and
/// analysis, ending in a <see cref="ResilienceReport"/> with a verdict, a score and the statistics.
/// </summary>
public sealed class ResilienceTester(ChaosEngineer engineer, TargetResolver targets, ScenarioLibrary library, HttpMessageHandler? handler = null, TimeProvider? timeProvider = null)
{
    /// <summary>Phase name: the targets, scenarios, load URL and generator headroom are checked; no load is measured.</summary>
    public const string Preparation = "preparation";
    /// <summary>Phase name: load before any fault, the reference for the later phases.</summary>
    public const string Baseline = "baseline";
    /// <summary>Phase name: load at <see cref="ResilienceTestConfig.StressRate"/>, when it is set.</summary>
    public const string Stress = "stress";
    /// <summary>Phase name: load while the failure scenarios' experiments run, one after another.</summary>
    public const string Failure = "failure";
    /// <summary>Phase name: load after the last fault's removal, until sustained success or the recovery window's end.</summary>
    public const string Recovery = "recovery";
    /// <summary>Phase name: load after recovery, compared with the baseline.</summary>
    public const string Validation = "validation";
    /// <summary>Phase name: statistics, score and verdict, with no load.</summary>
    public const string Analysis = "analysis";

    /// <summary>Over the engine's engineer, catalog and a scenario library.</summary>
    public ResilienceTester(ChaosEngine engine, ScenarioLibrary library)
        : this(engine.Engineer, engine.Targets, library)
    {
    }

    /// <summary>Over the engine's engineer and catalog, with the built-in scenarios and suites.</summary>
    public ResilienceTester(ChaosEngine engine)
        : this(engine, new ScenarioLibrary())
    {
    }

    /// <summary>
    /// Where an experiment is measured when no URL is given: the catalog <c>health_url</c> of the
    /// target its first fault hits (where the fault shows), else of its other target services.
    /// </summary>
    public static Uri? MeasuredUrl(Configuration.ChaosConfiguration configuration, ExperimentConfig experiment) =>
        experiment.FaultInjections.Select(f => f.TargetService).Concat(experiment.TargetServices)
            .Select(t => configuration.Targets.GetValueOrDefault(t)?.HealthUrl)
            .FirstOrDefault(u => u is not null);

    /// <summary>Reverts what a dead engine left behind, so the test starts clean.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => engineer.InitializeAsync(cancellationToken);

    /// <summary>Runs the test to its report. A test that cannot start (unreachable target, unknown scenario, impossible rate) ends in verdict <see cref="ResilienceVerdict.Error"/> with the reasons.</summary>
    /// <exception cref="ChaosValidationException">The configuration itself is invalid; nothing ran.</exception>
    public async Task<ResilienceReport> RunResilienceTestAsync(ResilienceTestConfig config, CancellationToken cancellationToken = default)
    {
        config = WithLoadUrl(config);
        Validate(config);
        var samples = new PhaseSamples((timeProvider ?? TimeProvider.System).GetUtcNow(), System.Diagnostics.Stopwatch.GetTimestamp());
        using var load = new LoadGenerator(handler, config.RequestTimeout);

        Report(config, Preparation, samples.Now, $"checking {config.TargetServices.Count} targets, {config.LoadUrl} and the generator's headroom");
        var prepared = samples.Now;
        var (experiments, problems) = await PrepareAsync(config, load, cancellationToken).ConfigureAwait(false);
        samples.AddPhase(Preparation, prepared, samples.Now);
        if (problems.Count > 0)
        {
            return new ResilienceReport
            {
                Name = config.Name, Verdict = ResilienceVerdict.Error, Reasons = problems, Started = samples.Started, Ended = samples.Now,
                LoadUrl = LoadUrlOf(config).ToString(), Rate = config.Rate, AvailabilityThreshold = config.AvailabilityThreshold,
                Phases = [new PhaseMetrics(Preparation, prepared, samples.Now, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null)],
            };
        }

        await RunLoadPhaseAsync(config, load, samples, Baseline, config.Rate, config.BaselineDuration, null, cancellationToken).ConfigureAwait(false);
        var slowMs = ResilienceAnalysis.SlowThresholdMs(samples.Of(Baseline));
        if (config.StressRate is { } stressRate)
        {
            await RunLoadPhaseAsync(config, load, samples, Stress, stressRate, config.StressDuration, null, cancellationToken).ConfigureAwait(false);
        }

        var outcomes = await RunFailurePhaseAsync(config, load, samples, experiments, cancellationToken).ConfigureAwait(false);
        var lastRemoval = outcomes.SelectMany(o => o.Result.Faults).Select(f => f.RemovedAt ?? samples.Now).DefaultIfEmpty(samples.Now).Max();
        var watch = new RecoveryWatch(lastRemoval, slowMs, config.SustainedSuccess);
        await RunLoadPhaseAsync(config, load, samples, Recovery, config.Rate, config.RecoveryWindow,
            sample => watch.Observe(samples.WallTime(sample.DueTimestamp), sample), cancellationToken).ConfigureAwait(false);
        await RunLoadPhaseAsync(config, load, samples, Validation, config.Rate, config.ValidationDuration, null, cancellationToken).ConfigureAwait(false);

        Report(config, Analysis, samples.Now, "statistics, score and verdict");
        return ResilienceAnalysis.Analyze(config, samples, outcomes, lastRemoval, slowMs);
    }

    private async Task<(List<(string Scenario, ExperimentConfig Experiment)> Experiments, List<string> Problems)> PrepareAsync(ResilienceTestConfig config, LoadGenerator load, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var target in config.TargetServices)
        {
            try
            {
                targets.Resolve(target);
            }
            catch (ChaosValidationException ex)
            {
                problems.Add($"target {target}: {ex.Message}");
            }
        }

        var experiments = new List<(string, ExperimentConfig)>();
        foreach (var name in config.FailureScenarios)
        {
            if (library.GetScenario(name) is not { } scenario)
            {
                problems.Add($"failure scenario '{name}' is not in the library");
                continue;
            }

            try
            {
                experiments.Add((name, ScenarioCompiler.Compile(scenario)));
            }
            catch (ChaosValidationException ex)
            {
                problems.Add($"failure scenario '{name}': {ex.Message}");
            }
        }

        experiments.AddRange(config.FailureExperiments.Select(e => (e.Name, e)));
        // A probe that names a target (not a URL) uses that target's catalog health_url.
        experiments = experiments.Select(e => (e.Item1, AsFailurePhase(e.Item2 with { SteadyStateProbes = [.. e.Item2.SteadyStateProbes.Select(p => p.ForCatalog(targets.Catalog))], Loads = [.. e.Item2.Loads.Select(l => l.ForCatalog(targets.Catalog))] }))).ToList();

        // The test's target_services are its boundary, as an experiment's are.
        foreach (var (name, experiment) in config.TargetServices.Count == 0 ? [] : experiments)
        {
            foreach (var outside in experiment.FaultInjections.Select(f => f.TargetService).Distinct(StringComparer.Ordinal).Where(t => !config.TargetServices.Contains(t, StringComparer.Ordinal)))
            {
                problems.Add($"failure scenario '{name}': target_service '{outside}' is not allowed; allowed: {ExperimentValidator.OutsideBoundary(config.Name, config.TargetServices)}");
            }
        }

        foreach (var (name, experiment) in experiments)
        {
            try
            {
                ExperimentValidator.Validate(experiment, engineer.Faults, targets.Catalog);
            }
            catch (Exception ex) when (ex is ChaosValidationException or FeatureUnavailableException)
            {
                problems.Add($"failure scenario '{name}': {ex.Message}");
            }
        }

        if (experiments.Count == 0)
        {
            problems.Add("no failure scenario to run (FailureScenarios and FailureExperiments are empty)");
        }

        var (reachable, why) = await IsReachableAsync(config, cancellationToken).ConfigureAwait(false);
        if (!reachable)
        {
            problems.Add($"{config.LoadUrl} is not healthy: {why}");
            return (experiments, problems);
        }

        // Headroom: a second at each rate the test will ask for; a rate the generator cannot hold
        // is an error now, not an under-delivered phase later.
        foreach (var rate in new[] { config.Rate }.Concat(config.StressRate is { } s ? [s] : []))
        {
            var probe = await load.RunAsync(LoadUrlOf(config), rate, TimeSpan.FromSeconds(1), config.Connections, cancellationToken).ConfigureAwait(false);
            if (probe.Saturated)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"rate {rate:0.#} req/s is above what the generator can hold against {config.LoadUrl} with {config.Connections} connections (achieved {probe.AchievedRate:0.#} req/s, p99 {probe.Latency.P99:0.##} ms)"));
            }
        }

        return (experiments, problems);
    }

    private async Task<(bool, string)> IsReachableAsync(ResilienceTestConfig config, CancellationToken cancellationToken)
    {
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = config.RequestTimeout;
        try
        {
            using var response = await http.GetAsync(LoadUrlOf(config), cancellationToken).ConfigureAwait(false);
            return ((int)response.StatusCode < 500, $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (false, ex is TaskCanceledException ? $"no answer within {config.RequestTimeout.TotalSeconds:0.#} s" : ex.Message);
        }
    }

    // The tester measures baseline and validation itself under load, so the engineer's own are
    // skipped; its recovery phase still waits (bounded) for the targets and the scenario's probes.
    private static ExperimentConfig AsFailurePhase(ExperimentConfig experiment) =>
        experiment with { BaselineDuration = TimeSpan.Zero, ValidationDuration = TimeSpan.Zero };

    private async Task<List<(string Scenario, ExperimentResult Result)>> RunFailurePhaseAsync(ResilienceTestConfig config, LoadGenerator load, PhaseSamples samples, List<(string Scenario, ExperimentConfig Experiment)> experiments, CancellationToken cancellationToken)
    {
        Report(config, Failure, samples.Now, string.Join(", ", experiments.Select(e => e.Scenario)));
        var started = samples.Now;
        using var stop = new CancellationTokenSource();
        var bound = experiments.Aggregate(TimeSpan.FromMinutes(1), (sum, e) => sum + e.Experiment.InjectionDuration);
        var running = load.RunAsync(LoadUrlOf(config), config.Rate, bound, config.Connections, cancellationToken, samples.RecorderFor(Failure), stop.Token);
        var outcomes = new List<(string, ExperimentResult)>();
        try
        {
            await WatchAsync(config, samples, Failure, RunAllAsync()).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
            samples.AddPhase(Failure, started, samples.Now);
        }

        return outcomes;

        async Task RunAllAsync()
        {
            foreach (var (scenario, experiment) in experiments)
            {
                outcomes.Add((scenario, await engineer.RunExperimentAsync(experiment, cancellationToken).ConfigureAwait(false)));
            }
        }
    }

    // Live figures every 2 s while a phase runs: active faults, and availability and p99 of the
    // requests due in the last 2 s.
    private async Task WatchAsync(ResilienceTestConfig config, PhaseSamples samples, string phase, Task running)
    {
        var window = TimeSpan.FromSeconds(2);
        while (config.Progress is not null && await Task.WhenAny(running, Task.Delay(window, TimeProvider.System)).ConfigureAwait(false) != running)
        {
            var since = samples.Now - window;
            var recent = samples.Of(phase).Where(s => s.Due >= since).ToList();
            if (recent.Count > 0)
            {
                var availability = 100.0 * recent.Count(s => !s.Sample.Failed) / recent.Count;
                var p99 = ResilienceAnalysis.Percentile(recent.Select(s => s.Sample.LatencyMs).Order().ToArray(), 99);
                Report(config, phase, samples.Now, string.Create(CultureInfo.InvariantCulture, $"live: active faults {engineer.Faults.ActiveFaults.Count} · availability {availability:0.#}% · p99 {p99:0.#} ms (last 2 s)"));
            }
        }

        await running.ConfigureAwait(false);
    }

    private async Task RunLoadPhaseAsync(ResilienceTestConfig config, LoadGenerator load, PhaseSamples samples, string phase, double rate, TimeSpan duration, Func<LoadSample, bool>? doneEarly, CancellationToken cancellationToken)
    {
        Report(config, phase, samples.Now, string.Create(CultureInfo.InvariantCulture, $"{rate:0.#} req/s for up to {duration.TotalSeconds:0.#} s"));
        var started = samples.Now;
        if (duration > TimeSpan.Zero)
        {
            using var stop = new CancellationTokenSource();
            var record = samples.RecorderFor(phase);
            await WatchAsync(config, samples, phase, load.RunAsync(LoadUrlOf(config), rate, duration, config.Connections, cancellationToken, sample =>
            {
                record(sample);
                if (doneEarly?.Invoke(sample) == true && !stop.IsCancellationRequested)
                {
                    stop.Cancel();
                }
            }, stop.Token)).ConfigureAwait(false);
        }

        samples.AddPhase(phase, started, samples.Now);
    }

    private static void Report(ResilienceTestConfig config, string phase, DateTimeOffset time, string detail) =>
        config.Progress?.Report(new ResilienceProgress(phase, time, detail));

    /// <summary>Validated before anything runs: from then on the test's load URL is known.</summary>
    internal static Uri LoadUrlOf(ResilienceTestConfig config) =>
        config.LoadUrl ?? throw new InvalidOperationException("the load URL is resolved before the test runs");

    // No load URL given: the first target service's catalog health_url, where the user would point it.
    private ResilienceTestConfig WithLoadUrl(ResilienceTestConfig config) =>
        config.LoadUrl is not null
            ? config
            : config with { LoadUrl = config.TargetServices.Select(t => targets.Catalog.GetValueOrDefault(t)?.HealthUrl).FirstOrDefault(u => u is not null) };

    private void Validate(ResilienceTestConfig config)
    {
        var errors = ExperimentValidator.CheckTargetServices(config.Name, config.TargetServices, targets.Catalog).ToList();
        void Check(bool ok, string field, object value, string allowed)
        {
            if (!ok)
            {
                errors.Add(new ValidationError(field, Convert.ToString(value, CultureInfo.InvariantCulture), allowed));
            }
        }

        Check(!string.IsNullOrWhiteSpace(config.Name), "name", config.Name, "a non-empty name");
        Check(config.LoadUrl is { IsAbsoluteUri: true, Scheme: "http" or "https" }, "load_url", config.LoadUrl?.ToString() ?? "(none)", "an absolute http:// URL, or target services of which one has a health_url in the catalog");
        Check(config.Rate is >= 1 and <= 100_000, "rate", config.Rate, "1 to 100,000 requests per second");
        Check(config.StressRate is null or (>= 1 and <= 100_000), "stress_rate", config.StressRate ?? 0, "1 to 100,000 requests per second");
        Check(config.Connections is >= 1 and <= 10_000, "connections", config.Connections, "1 to 10,000");
        Check(config.AvailabilityThreshold is >= 0 and <= 100, "availability_threshold", config.AvailabilityThreshold, "0 to 100 (percent)");
        Check(config.Confidence is >= 0.5 and <= 0.9999, "confidence", config.Confidence, "0.5 to 0.9999");
        Check(config.LatencyTolerancePercent is >= 0 and <= 10_000, "latency_tolerance_percent", config.LatencyTolerancePercent, "0 to 10,000");
        Check(config.RequestTimeout > TimeSpan.Zero && config.RequestTimeout <= TimeSpan.FromMinutes(1), "request_timeout", config.RequestTimeout.TotalSeconds, "more than 0 and at most 60 seconds");
        foreach (var (value, field) in new[] { (config.BaselineDuration, "baseline_duration"), (config.StressDuration, "stress_duration"), (config.RecoveryWindow, "recovery_window"), (config.ValidationDuration, "validation_duration"), (config.SustainedSuccess, "sustained_success"), (config.RecoveryTarget, "recovery_target") })
        {
            Check(value >= TimeSpan.Zero && value <= TimeSpan.FromHours(1), field, value.TotalSeconds, "0 to 3600 seconds");
        }

        Check(config.BaselineDuration >= TimeSpan.FromSeconds(1), "baseline_duration", config.BaselineDuration.TotalSeconds, "at least 1 second (the statistics need a baseline)");
        Check(config.ScenarioWeights.Values.All(w => w is >= 0 and <= 100), "scenario_weights", string.Join(",", config.ScenarioWeights.Values), "weights from 0 to 100");
        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }
    }
}
