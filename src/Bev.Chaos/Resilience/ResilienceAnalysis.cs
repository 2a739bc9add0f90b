using System.Globalization;
using Bev.Chaos.Experiments;
using Bev.Chaos.Load;

namespace Bev.Chaos.Resilience;

/// <summary>The analysis phase: per-phase metrics, detection and recovery times, statistics, score, checks and verdict.</summary>
internal static class ResilienceAnalysis
{
    /// <summary>
    /// A request counts as "bad" for detection and recovery when it failed or was slower than
    /// <c>max(3 × baseline p99, baseline p99 + 20 ms)</c>: far outside what the baseline showed.
    /// </summary>
    public static double SlowThresholdMs(IReadOnlyList<(DateTimeOffset Due, LoadSample Sample)> baseline)
    {
        var ok = baseline.Where(s => !s.Sample.Failed).Select(s => s.Sample.LatencyMs).Order().ToArray();
        var p99 = ok.Length == 0 ? 0 : Percentile(ok, 99);
        return Math.Max(3 * p99, p99 + 20);
    }

    /// <summary>
    /// How many good requests in a row make "recovered" for a load at <paramref name="rate"/>: the
    /// requests due in <paramref name="sustained"/> (first and last included), at least
    /// <see cref="RecoveryTime.ConsecutiveHealthy"/> — the same definition as an experiment's.
    /// </summary>
    public static int ConsecutiveHealthy(double rate, TimeSpan sustained) =>
        Math.Max(RecoveryTime.ConsecutiveHealthy, (int)Math.Ceiling(rate * sustained.TotalSeconds) + 1);

    /// <summary>Start of the first run of <paramref name="consecutive"/> good requests due after <paramref name="removed"/>; null if none.</summary>
    public static DateTimeOffset? RecoveredBy(IReadOnlyList<(DateTimeOffset Due, LoadSample Sample)> all, DateTimeOffset removed, double slowMs, int consecutive) =>
        RecoveryTime.RecoveredAt(all.Select(s => (s.Due, !s.Sample.Failed && s.Sample.LatencyMs <= slowMs)), removed, consecutive);

    public static ResilienceReport Analyze(ResilienceTestConfig config, PhaseSamples samples, IReadOnlyList<(string Scenario, ExperimentResult Result)> outcomes, DateTimeOffset lastRemoval, double slowMs)
    {
        var all = samples.Of(null);
        var baselineSamples = samples.Of(ResilienceTester.Baseline);
        var baselineP99 = Percentile(Latencies(baselineSamples).Order().ToArray(), 99);
        var phases = samples.Phases.Select(p => Metrics(p.Phase, p.Started, p.Ended, samples.Of(p.Phase), p.Phase == ResilienceTester.Baseline ? null : baselineP99)).ToList();

        var faults = outcomes.SelectMany(o => o.Result.Faults.Select(f => new FaultWindow(f.FaultId, f.InjectorName, f.TargetService, o.Scenario, f.InjectedAt, f.RemovedAt))).ToList();
        var firstInjection = faults.Count == 0 ? (DateTimeOffset?)null : faults.Min(f => f.InjectedAt);
        var detected = firstInjection is { } injected
            ? all.Where(s => s.Due >= injected && (s.Sample.Failed || s.Sample.LatencyMs > slowMs)).Select(s => (DateTimeOffset?)s.Due).FirstOrDefault()
            : null;
        var recoveredAt = RecoveredBy(all, lastRemoval, slowMs, ConsecutiveHealthy(config.Rate, config.SustainedSuccess));
        var timeToRecover = recoveredAt is { } r ? (r > lastRemoval ? r - lastRemoval : TimeSpan.Zero) : (TimeSpan?)null;

        var scenarios = outcomes.Select(o =>
        {
            var windows = o.Result.Faults.Select(f => (f.InjectedAt, f.RemovedAt ?? lastRemoval)).ToList();
            var during = all.Where(s => windows.Any(w => s.Due >= w.InjectedAt && s.Due <= w.Item2)).ToList();
            var availability = during.Count == 0 ? 100 : 100.0 * during.Count(s => !s.Sample.Failed) / during.Count;
            return new ScenarioOutcome(o.Scenario, o.Result.ExperimentId, o.Result.Verdict.ToString().ToLowerInvariant(),
                config.ScenarioWeights.GetValueOrDefault(o.Scenario, 1), Math.Round(availability, 3), o.Result.Reasons)
            {
                TimeToRecoverMs = o.Result.TimeToRecover is { } ttr ? Math.Round(ttr.TotalMilliseconds, 1) : null,
            };
        }).ToList();

        var judged = all.Where(s => s.Due >= (firstInjection ?? lastRemoval)).ToList();
        var availabilityPercent = judged.Count == 0 ? 100 : 100.0 * judged.Count(s => !s.Sample.Failed) / judged.Count;
        // The statistics compare answered requests only: a refused connection fails fast, and its
        // "latency" would make an outage look like a speed-up. Failures count in availability.
        var baseline = Latencies(baselineSamples);
        var comparisons = new List<LatencyComparison>
        {
            LatencyComparison.Compare(ResilienceTester.Baseline, baseline, ResilienceTester.Failure, Latencies(samples.Of(ResilienceTester.Failure)), config.Confidence, config.MinimumLatencyShiftMs),
            LatencyComparison.Compare(ResilienceTester.Baseline, baseline, ResilienceTester.Validation, Latencies(samples.Of(ResilienceTester.Validation)), config.Confidence, config.MinimumLatencyShiftMs),
        };

        var checks = Checks(config, phases, scenarios, availabilityPercent, timeToRecover, comparisons[1]);
        var score = ResilienceScore.Compute(scenarios, availabilityPercent, config.AvailabilityThreshold, timeToRecover, config.RecoveryTarget, config.RecoveryWindow);
        var passed = checks.All(c => c.Passed);
        var analysisStarted = samples.Now;
        phases.Add(Metrics(ResilienceTester.Analysis, analysisStarted, analysisStarted, [], null));
        var degraded = comparisons[0];
        var reasons = checks.Where(c => !c.Passed || passed).Select(c => (c.Passed ? "held: " : "failed: ") + c.Name + " — " + c.Detail).ToList();
        reasons.Add(string.Create(CultureInfo.InvariantCulture, $"latency under failure: {(degraded.Higher ? "degraded" : "not degraded")} (median {degraded.MedianShiftMs:+0.##;-0.##;0} ms, effect {degraded.EffectSize:0.##}, confidence {degraded.Confidence:P2})"));
        return new ResilienceReport
        {
            Name = config.Name,
            Verdict = passed ? ResilienceVerdict.Passed : ResilienceVerdict.Failed,
            Reasons = reasons,
            Started = samples.Started,
            Ended = samples.Now,
            LoadUrl = ResilienceTester.LoadUrlOf(config).ToString(),
            Rate = config.Rate,
            AvailabilityThreshold = config.AvailabilityThreshold,
            Score = score,
            Phases = phases,
            Faults = faults,
            Scenarios = scenarios,
            TimeToDetectMs = detected is { } d && firstInjection is { } i ? Math.Round((d - i).TotalMilliseconds, 1) : null,
            TimeToRecoverMs = timeToRecover is { } t ? Math.Round(t.TotalMilliseconds, 1) : null,
            Outages = Outages(all),
            Comparisons = comparisons,
            Series = Series(all, samples.Started),
            Checks = checks,
        };
    }

    private static List<ResilienceCheck> Checks(ResilienceTestConfig config, List<PhaseMetrics> phases, List<ScenarioOutcome> scenarios, double availabilityPercent, TimeSpan? timeToRecover, LatencyComparison validationAgainstBaseline)
    {
        var baseline = phases.First(p => p.Phase == ResilienceTester.Baseline);
        var validation = phases.First(p => p.Phase == ResilienceTester.Validation);
        var p95Limit = baseline.P95Ms * (1 + config.LatencyTolerancePercent / 100) + config.MinimumLatencyShiftMs;
        var checks = new List<ResilienceCheck>
        {
            new("availability", availabilityPercent >= config.AvailabilityThreshold,
                F($"{availabilityPercent:0.###}% of requests succeeded from the first injection to the end (threshold {config.AvailabilityThreshold:0.###}%)")),
            new("recovered", timeToRecover is not null,
                timeToRecover is { } t ? F($"sustained success {t.TotalSeconds:0.###} s after the last fault's removal (window {config.RecoveryWindow.TotalSeconds:0.#} s)")
                : F($"no {config.SustainedSuccess.TotalSeconds:0.#} s of sustained success within the {config.RecoveryWindow.TotalSeconds:0.#} s recovery window")),
            new("latency_back_to_baseline", validation.P95Ms <= p95Limit,
                F($"validation p95 {validation.P95Ms:0.###} ms against baseline p95 {baseline.P95Ms:0.###} ms (limit {p95Limit:0.###} ms: +{config.LatencyTolerancePercent:0.#}% + {config.MinimumLatencyShiftMs:0.##} ms)")),
            new("latency_statistically_recovered", !validationAgainstBaseline.Higher,
                F($"validation against baseline: median {validationAgainstBaseline.MedianShiftMs:+0.###;-0.###;0} ms, effect {validationAgainstBaseline.EffectSize:0.###}, p {validationAgainstBaseline.PValue:0.####} (slower with {config.Confidence:P1} confidence and a noticeable effect: {(validationAgainstBaseline.Higher ? "yes" : "no")})")),
            new("validation_errors", validation.Errors == 0 || validation.AvailabilityPercent >= config.AvailabilityThreshold,
                F($"{validation.Errors} failed of {validation.Requests} requests in validation")),
        };
        checks.AddRange(scenarios.Select(s => new ResilienceCheck($"scenario {s.Name}", s.ExperimentVerdict is "passed",
            F($"experiment {s.ExperimentId} {s.ExperimentVerdict}; availability while its faults were active {s.AvailabilityPercent:0.###}%") + (s.Reasons.Count > 0 ? " — " + string.Join("; ", s.Reasons) : string.Empty))));
        return checks;
    }

    private static PhaseMetrics Metrics(string phase, DateTimeOffset started, DateTimeOffset ended, IReadOnlyList<(DateTimeOffset Due, LoadSample Sample)> samples, double? baselineP99)
    {
        var latencies = samples.Select(s => s.Sample.LatencyMs).Order().ToArray();
        var errors = samples.LongCount(s => s.Sample.Failed);
        var seconds = (ended - started).TotalSeconds;
        var p99 = Percentile(latencies, 99);
        return new PhaseMetrics(phase, started, ended, samples.Count, errors,
            samples.Count == 0 ? 100 : Math.Round(100.0 * (samples.Count - errors) / samples.Count, 3),
            samples.Count == 0 ? 0 : Math.Round(100.0 * errors / samples.Count, 3),
            seconds <= 0 ? 0 : Math.Round(samples.Count / seconds, 1),
            Round(Percentile(latencies, 50)), Round(Percentile(latencies, 90)), Round(Percentile(latencies, 95)), Round(p99), Round(latencies.LastOrDefault()),
            baselineP99 is { } b && b > 0 && latencies.Length > 0 ? Math.Round(100 * (p99 - b) / b, 1) : null);
    }

    private static List<OutageWindow> Outages(IReadOnlyList<(DateTimeOffset Due, LoadSample Sample)> all)
    {
        var outages = new List<OutageWindow>();
        (DateTimeOffset Start, DateTimeOffset End, long Count)? open = null;
        foreach (var (due, sample) in all)
        {
            if (sample.Failed)
            {
                open = open is { } o ? (o.Start, due, o.Count + 1) : (due, due, 1);
            }
            else if (open is { } o)
            {
                outages.Add(new OutageWindow(o.Start, o.End, o.Count));
                open = null;
            }
        }

        if (open is { } last)
        {
            outages.Add(new OutageWindow(last.Start, last.End, last.Count));
        }

        return outages;
    }

    private static List<SeriesPoint> Series(IReadOnlyList<(DateTimeOffset Due, LoadSample Sample)> all, DateTimeOffset started) =>
        all.GroupBy(s => Math.Floor((s.Due - started).TotalSeconds))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var latencies = g.Select(s => s.Sample.LatencyMs).Order().ToArray();
                return new SeriesPoint(g.Key, latencies.Length, g.LongCount(s => s.Sample.Failed), Round(Percentile(latencies, 50)), Round(Percentile(latencies, 99)));
            })
            .ToList();

    private static double[] Latencies(IReadOnlyList<(DateTimeOffset Due, LoadSample Sample)> samples) =>
        samples.Where(s => !s.Sample.Failed).Select(s => s.Sample.LatencyMs).ToArray();

    /// <summary>Nearest-rank percentile of values sorted ascending; 0 for none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static double Round(double value) => Math.Round(value, 3);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
