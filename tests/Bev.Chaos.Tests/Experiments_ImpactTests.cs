using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Tests;

/// <summary>An experiment's impact and each fault's effectiveness, judged from its probe results.</summary>
public sealed class Experiments_ImpactTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static ProbeResult Probe(double atSeconds, bool success, double latencyMs) =>
        new("up", T0.AddSeconds(atSeconds), success, TimeSpan.FromMilliseconds(latencyMs), success ? "200" : "503");

    private static AppliedFault Fault(string id, double fromSeconds, double? toSeconds) =>
        new(id, "network_delay", "web", T0.AddSeconds(fromSeconds), toSeconds is { } to ? T0.AddSeconds(to) : null);

    [Fact]
    public void Of_FailuresAndSlowProbesDuringFaults_AvailabilityLatencyRatioAndEachFaultsEffect()
    {
        ProbeResult[] probes =
        [
            Probe(0, true, 10), Probe(1, true, 10), Probe(2, true, 12), Probe(3, true, 10),   // baseline: median 10 ms
            Probe(10, false, 0), Probe(11, true, 30), Probe(12, true, 30), Probe(13, true, 30), // "failing": one failure
            Probe(20, true, 10.5), Probe(21, true, 10.4),                                      // "quiet": no change
            Probe(30, true, 25), Probe(31, true, 26),                                          // "slow": 2.5x, +15 ms
        ];
        AppliedFault[] faults = [Fault("failing", 9.5, 13.5), Fault("quiet", 19.5, 21.5), Fault("slow", 29.5, null), Fault("blind", 40, 41)];

        var impact = ExperimentImpact.Of(faults, probes, ended: T0.AddSeconds(32));

        Assert.Equal(1.0, impact.BaselineAvailability);
        Assert.Equal(7 / 8.0, impact.AvailabilityDuringFaults);
        // Successful probes during faults: 10.4, 10.5, 25, 26, 30, 30, 30 ms, median 26; baseline median 10.
        Assert.Equal(26.0 / 10, impact.LatencyRatio!.Value, 3);
        Assert.Equal(
            [("failing", FaultEffectiveness.Visible, 4), ("quiet", FaultEffectiveness.NotVisible, 2), ("slow", FaultEffectiveness.Visible, 2), ("blind", FaultEffectiveness.Unobserved, 0)],
            impact.Faults.Select(f => (f.FaultId, f.Effect, f.Probes)));
    }

    [Fact]
    public void Of_NoFaults_OnlyTheBaselineAvailability()
    {
        var impact = ExperimentImpact.Of([], [Probe(0, true, 5), Probe(1, false, 0)], T0.AddSeconds(2));

        Assert.Equal((0.5, (double?)null, (double?)null, 0), (impact.BaselineAvailability!.Value, impact.AvailabilityDuringFaults, impact.LatencyRatio, impact.Faults.Count));
    }

    [Fact]
    public void Of_SmallRiseBelowTheMillisecondFloor_IsNotVisible()
    {
        // 1.5x the baseline but only +0.5 ms: timer noise on loopback, not a fault's effect.
        var impact = ExperimentImpact.Of([Fault("tiny", 9, 12)], [Probe(0, true, 1), Probe(1, true, 1), Probe(10, true, 1.5), Probe(11, true, 1.5)], T0.AddSeconds(12));

        Assert.Equal(FaultEffectiveness.NotVisible, Assert.Single(impact.Faults).Effect);
    }
}
