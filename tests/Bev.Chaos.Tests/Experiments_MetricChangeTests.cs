using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Tests;

/// <summary>A measured metric's change per phase: from the last value before the phase to the last in it.</summary>
public sealed class MetricChangeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static ProbeResult Read(string probe, double seconds, double? value) =>
        new(probe, T0.AddSeconds(seconds), value is not null, TimeSpan.FromMilliseconds(1), "test", value);

    [Fact]
    public void Of_CountsAnIncreaseBetweenTwoPhasesInTheLaterOne_AndSkipsPhasesWithoutReadings()
    {
        PhaseRecord[] phases =
        [
            new(ExperimentStatus.Baseline, T0, T0.AddSeconds(5)),
            new(ExperimentStatus.Injection, T0.AddSeconds(5), T0.AddSeconds(20)),
            new(ExperimentStatus.Recovery, T0.AddSeconds(20), T0.AddSeconds(22)),
            new(ExperimentStatus.Validation, T0.AddSeconds(22), T0.AddSeconds(27)),
        ];
        ProbeResult[] probes =
        [
            Read("retries", 1, 4), Read("retries", 4.5, 4),
            Read("retries", 6, 10), Read("health", 6, null), Read("retries", 19, 61),
            Read("retries", 12, null),
            Read("retries", 23, 63), Read("retries", 26, 63),
        ];

        var changes = MetricChange.Of(phases, probes);

        Assert.Equal(
            [("retries", ExperimentStatus.Baseline, 0.0, 2), ("retries", ExperimentStatus.Injection, 57.0, 2), ("retries", ExperimentStatus.Validation, 2.0, 2)],
            changes.Select(c => (c.Probe, c.Phase, c.Change, c.Readings)));
        Assert.Equal((4.0, 61.0), (changes[1].From, changes[1].To));
    }
}
