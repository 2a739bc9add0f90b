using Bev.Chaos.Probes;

namespace Bev.Chaos.Experiments;

/// <summary>
/// The steady-state probes of one experiment, phase by phase: which probes count in a phase, and
/// probe rounds every <see cref="ExperimentConfig.ProbeInterval"/> for a phase's length. Every result
/// goes into the experiment's state (the safety watch reads them from there).
/// </summary>
internal sealed class SteadyStateProbing(ExperimentState state, ProbeRunner probes, TimeProvider time)
{
    private ExperimentConfig Config => state.Run.Config;

    /// <summary>
    /// A probe's mode says in which phases it counts: start = baseline, end = recovery and
    /// validation, during_fault = injection, continuous = all of them.
    /// </summary>
    public List<ProbeDefinition> For(ExperimentStatus phase) =>
        Config.SteadyStateProbes.Where(p => p.Mode switch
        {
            ProbeMode.Start => phase == ExperimentStatus.Baseline,
            ProbeMode.End => phase is ExperimentStatus.Recovery or ExperimentStatus.Validation,
            ProbeMode.DuringFault => phase == ExperimentStatus.Injection,
            _ => true,
        }).ToList();

    /// <summary>Probe rounds every interval for <paramref name="duration"/>; returns the results.</summary>
    public async Task<List<ProbeResult>> ForDurationAsync(TimeSpan duration, ExperimentStatus phase, CancellationToken token)
    {
        var results = new List<ProbeResult>();
        var probes = For(phase);
        if (probes.Count == 0)
        {
            await Task.Delay(duration, time, token).ConfigureAwait(false);
            return results;
        }

        // Rounds at whole intervals from the start: one periodic timer, armed before the first round.
        using var timer = new PeriodicTimer(Config.ProbeInterval, time);
        var end = time.GetTimestamp() + (long)(duration.TotalSeconds * time.TimestampFrequency);
        do
        {
            results.AddRange(await RoundAsync(probes, token).ConfigureAwait(false));
            await timer.WaitForNextTickAsync(token).ConfigureAwait(false);
        }
        while (time.GetTimestamp() < end);
        return results;
    }

    /// <summary>One round: every probe at once; returns the judged results (a measured metric is recorded only).</summary>
    public async Task<ProbeResult[]> RoundAsync(IReadOnlyList<ProbeDefinition> round, CancellationToken token)
    {
        var results = await Task.WhenAll(round.Select(p => probes.RunAsync(p, token))).ConfigureAwait(false);
        state.AddProbes(results);
        return [.. results.Where(r => !state.MeasuredProbes.Contains(r.Probe))];
    }

    /// <summary>The results of the during_fault probes since the injection started.</summary>
    public List<ProbeResult> DuringFault(DateTimeOffset injectionStarted)
    {
        var names = Config.SteadyStateProbes.Where(p => p.Mode == ProbeMode.DuringFault).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        return state.Probes(r => names.Contains(r.Probe) && r.Time >= injectionStarted);
    }

    /// <summary>True when enough of <paramref name="results"/> succeeded (<see cref="ExperimentConfig.SteadyStateTolerance"/>).</summary>
    public bool Holds(List<ProbeResult> results) =>
        results.Count == 0 || results.Count(r => r.Success) >= Config.SteadyStateTolerance * results.Count;

    /// <summary>"n of m probes succeeded (e.g. …)".</summary>
    public static string Describe(List<ProbeResult> results)
    {
        var failed = results.Where(r => !r.Success).ToList();
        return $"{results.Count - failed.Count} of {results.Count} probes succeeded" + (failed.Count > 0 ? $" (e.g. {failed[0].Probe}: {failed[0].Detail})" : string.Empty);
    }
}
