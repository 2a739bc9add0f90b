using System.Globalization;
using Bev.Chaos.Experiments;
using Bev.Chaos.Resilience;

namespace Bev.Chaos.Reporting;

/// <summary>
/// A report for an experiment run without load (no URL to measure): its steady-state probes stand
/// in for requests, so the same JSON, HTML and JUnit files come out, with availability being the
/// probes' success and latency the probes' own.
/// </summary>
public static class ExperimentReport
{
    /// <summary>
    /// The report for <paramref name="result"/>. Its availability is the share of judged probe results that succeeded from
    /// the first injection on; the availability check passes at <paramref name="availabilityThreshold"/> % or more (100 by default).
    /// </summary>
    public static ResilienceReport From(ExperimentResult result, double availabilityThreshold = 100)
    {
        // Judged probes only: a measured metric is no request of the target's users.
        var probes = result.ProbeResults.Where(p => !result.MeasuredProbes.Contains(p.Probe)).OrderBy(p => p.Time).ToList();
        var phases = result.Phases.Select(p =>
        {
            var during = probes.Where(r => r.Time >= p.Started && r.Time <= p.Ended).ToList();
            var latencies = during.Select(r => r.Latency.TotalMilliseconds).Order().ToArray();
            var failed = during.Count(r => !r.Success);
            var seconds = (p.Ended - p.Started).TotalSeconds;
            return new PhaseMetrics(p.Phase.ToString().ToLowerInvariant(), p.Started, p.Ended, during.Count, failed,
                during.Count == 0 ? 100 : Math.Round(100.0 * (during.Count - failed) / during.Count, 3),
                during.Count == 0 ? 0 : Math.Round(100.0 * failed / during.Count, 3),
                seconds <= 0 ? 0 : Math.Round(during.Count / seconds, 2),
                ResilienceAnalysis.Percentile(latencies, 50), ResilienceAnalysis.Percentile(latencies, 90), ResilienceAnalysis.Percentile(latencies, 95),
                ResilienceAnalysis.Percentile(latencies, 99), latencies.LastOrDefault(), null);
        }).ToList();
        var injected = result.Faults.Count == 0 ? result.Started : result.Faults.Min(f => f.InjectedAt);
        var judged = probes.Where(p => p.Time >= injected).ToList();
        var availability = judged.Count == 0 ? 100 : 100.0 * judged.Count(p => p.Success) / judged.Count;
        var verdict = result.Verdict == ExperimentVerdict.Passed ? ResilienceVerdict.Passed
            : result.Verdict == ExperimentVerdict.Failed ? ResilienceVerdict.Failed
            : ResilienceVerdict.Error;
        var scenario = new ScenarioOutcome(result.Name, result.ExperimentId, result.Verdict.ToString().ToLowerInvariant(), 1, Math.Round(availability, 3), result.Reasons)
        {
            TimeToRecoverMs = result.TimeToRecover?.TotalMilliseconds,
        };
        var checks = new List<ResilienceCheck>
        {
            new("experiment", result.Verdict == ExperimentVerdict.Passed, result.Verdict.ToString().ToLowerInvariant() + (result.Reasons.Count > 0 ? ": " + string.Join("; ", result.Reasons) : string.Empty)),
            new("availability", availability >= availabilityThreshold, string.Create(CultureInfo.InvariantCulture, $"{availability:0.###}% of probes succeeded from the first injection to the end (threshold {availabilityThreshold:0.###}%)")),
            new("recovered", result.TimeToRecover is not null || result.Faults.Count == 0, result.TimeToRecover is { } t ? string.Create(CultureInfo.InvariantCulture, $"healthy {t.TotalSeconds:0.###} s after the last removal") : $"no {RecoveryTime.ConsecutiveHealthy} consecutive healthy probe rounds after the faults' removal"),
        };
        return new ResilienceReport
        {
            Name = result.Name,
            Verdict = verdict,
            Reasons = result.Reasons.Count > 0 ? result.Reasons : ["the steady state held"],
            Started = result.Started,
            Ended = result.Ended,
            LoadUrl = "(no load: steady-state probes only)",
            AvailabilityThreshold = availabilityThreshold,
            Score = ResilienceScore.Compute([scenario], availability, availabilityThreshold, result.TimeToRecover, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)),
            Phases = phases,
            Faults = result.Faults.Select(f => new FaultWindow(f.FaultId, f.InjectorName, f.TargetService, result.Name, f.InjectedAt, f.RemovedAt)).ToList(),
            Scenarios = [scenario],
            TimeToRecoverMs = result.TimeToRecover?.TotalMilliseconds,
            AutoRecoveryResponseMs = result.AutoRecoveryResponseTime?.TotalMilliseconds,
            Series = probes.GroupBy(p => Math.Floor((p.Time - result.Started).TotalSeconds)).OrderBy(g => g.Key).Select(g =>
            {
                var latencies = g.Select(p => p.Latency.TotalMilliseconds).Order().ToArray();
                return new SeriesPoint(g.Key, latencies.Length, g.LongCount(p => !p.Success), ResilienceAnalysis.Percentile(latencies, 50), ResilienceAnalysis.Percentile(latencies, 99));
            }).ToList(),
            Checks = checks,
        };
    }
}
