using Bev.Chaos.Probes;

namespace Bev.Chaos.Experiments;

/// <summary>
/// How much a metric read by a prometheus probe moved during one phase of an experiment: a
/// counter's increase (retries, errors, items) while the faults were in, compared with the
/// baseline's and the recovery's. <see cref="Change"/> runs from the last value read before the
/// phase began (the phase's own first value when there is none) to the last value read in it, so
/// no increase between two rounds falls between two phases.
/// </summary>
/// <param name="Probe">The probe's name.</param>
/// <param name="Phase">The phase.</param>
/// <param name="From">The value the phase started from.</param>
/// <param name="To">The last value read in the phase.</param>
/// <param name="Readings">How many values were read in the phase.</param>
public sealed record MetricChange(string Probe, ExperimentStatus Phase, double From, double To, int Readings)
{
    /// <summary><see cref="To"/> − <see cref="From"/>.</summary>
    public double Change => To - From;

    /// <summary>Every prometheus probe's change in every phase in which it read a value, in phase order.</summary>
    public static IReadOnlyList<MetricChange> Of(IReadOnlyList<PhaseRecord> phases, IReadOnlyList<ProbeResult> probes)
    {
        var changes = new List<MetricChange>();
        foreach (var readings in probes.Where(p => p.Value is not null).GroupBy(p => p.Probe, StringComparer.Ordinal))
        {
            var ordered = readings.OrderBy(r => r.Time).ToList();
            foreach (var phase in phases)
            {
                var inPhase = ordered.Where(r => r.Time >= phase.Started && r.Time <= phase.Ended).ToList();
                if (inPhase.Count == 0)
                {
                    continue;
                }

                var before = ordered.LastOrDefault(r => r.Time < phase.Started) ?? inPhase[0];
                changes.Add(new MetricChange(readings.Key, phase.Phase, before.Value!.Value, inPhase[^1].Value!.Value, inPhase.Count));
            }
        }

        return changes;
    }
}
