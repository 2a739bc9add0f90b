using Bev.Chaos.Probes;

namespace Bev.Chaos.Experiments;

/// <summary>
/// What an experiment's faults did to its targets, as its steady-state probes saw it: availability
/// (the share of successful probes) before the first fault and while any fault was in effect, the
/// ratio of the probes' median latency during faults to the baseline's, and for each fault whether
/// its effect was visible. Docs: docs/resilience.md, "Impact and fault effectiveness".
/// </summary>
/// <param name="BaselineAvailability">Successful share of the probes before the first fault (0–1); null without any.</param>
/// <param name="AvailabilityDuringFaults">Successful share of the probes while a fault was in effect (0–1); null without any.</param>
/// <param name="LatencyRatio">Median latency of the successful probes during faults over the baseline's; null when either is missing.</param>
/// <param name="Faults">Each fault's effect.</param>
public sealed record ExperimentImpact(double? BaselineAvailability, double? AvailabilityDuringFaults, double? LatencyRatio, IReadOnlyList<FaultEffect> Faults)
{
    /// <summary>A median latency this many times the baseline's makes a fault's effect visible...</summary>
    public const double VisibleLatencyRatio = 1.2;

    /// <summary>...when it is also at least this many milliseconds above it (below, timer noise).</summary>
    public const double VisibleLatencyShiftMs = 1.0;

    /// <summary>No faults, no probes: nothing seen.</summary>
    public static ExperimentImpact None { get; } = new(null, null, null, []);

    /// <summary>Judges <paramref name="faults"/> by the <paramref name="probes"/>; a fault still in effect counts until <paramref name="ended"/>.</summary>
    public static ExperimentImpact Of(IReadOnlyList<AppliedFault> faults, IReadOnlyList<ProbeResult> probes, DateTimeOffset ended)
    {
        if (faults.Count == 0)
        {
            return new ExperimentImpact(Availability(probes), null, null, []);
        }

        var firstFault = faults.Min(f => f.InjectedAt);
        var baseline = probes.Where(p => p.Time < firstFault).ToList();
        var during = probes.Where(p => faults.Any(f => Within(p, f, ended))).ToList();
        var baselineMedian = MedianLatencyMs(baseline);
        var duringMedian = MedianLatencyMs(during);
        var effects = faults.Select(f =>
        {
            var seen = probes.Where(p => Within(p, f, ended)).ToList();
            return new FaultEffect(f.FaultId, f.InjectorName, Judge(seen, baselineMedian), seen.Count);
        }).ToList();
        return new ExperimentImpact(
            Availability(baseline),
            Availability(during),
            baselineMedian is > 0 && duringMedian is { } d ? d / baselineMedian.Value : null,
            effects);
    }

    private static FaultEffectiveness Judge(IReadOnlyList<ProbeResult> seen, double? baselineMedian)
    {
        if (seen.Count == 0)
        {
            return FaultEffectiveness.Unobserved;
        }

        if (seen.Any(p => !p.Success))
        {
            return FaultEffectiveness.Visible;
        }

        return baselineMedian is { } before && MedianLatencyMs(seen) is { } median
            && median >= before * VisibleLatencyRatio && median - before >= VisibleLatencyShiftMs
            ? FaultEffectiveness.Visible
            : FaultEffectiveness.NotVisible;
    }

    private static bool Within(ProbeResult probe, AppliedFault fault, DateTimeOffset ended) =>
        probe.Time >= fault.InjectedAt && probe.Time <= (fault.RemovedAt ?? ended);

    private static double? Availability(IReadOnlyList<ProbeResult> probes) =>
        probes.Count == 0 ? null : probes.Count(p => p.Success) / (double)probes.Count;

    private static double? MedianLatencyMs(IReadOnlyList<ProbeResult> probes)
    {
        var latencies = probes.Where(p => p.Success).Select(p => p.Latency.TotalMilliseconds).Order().ToList();
        if (latencies.Count == 0)
        {
            return null;
        }

        var middle = latencies.Count / 2;
        return latencies.Count % 2 == 1 ? latencies[middle] : (latencies[middle - 1] + latencies[middle]) / 2;
    }
}
