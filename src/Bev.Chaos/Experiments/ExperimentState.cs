using Bev.Chaos.Probes;
using Bev.Chaos.Safety;

namespace Bev.Chaos.Experiments;

/// <summary>
/// What one experiment has done so far — phases, faults, probe results, reasons, the breach —
/// shared by its execution, safety watch, probing and rollback; every access under one lock,
/// since the safety watch, the load and the fault timeline run concurrently.
/// </summary>
internal sealed class ExperimentState(ExperimentRun run)
{
    private readonly List<PhaseRecord> _phases = [];
    private readonly List<AppliedFault> _faults = [];
    private readonly List<ProbeResult> _probes = [];

    // Measure-only probes' results: reported and turned into metric changes, but never judged —
    // not by the steady state, the safety thresholds, the impact or the outage.
    private readonly List<ProbeResult> _measured = [];
    private readonly List<string> _reasons = [];
    private readonly Lock _gate = new();
    private SafetyBreach? _breach;

    public ExperimentRun Run => run;

    public SafetyBreach? Breach
    {
        get
        {
            lock (_gate)
            {
                return _breach;
            }
        }
    }

    /// <summary>Records the breach unless one is recorded already; true when this one is the first.</summary>
    public bool TrySetBreach(SafetyBreach breach)
    {
        lock (_gate)
        {
            if (_breach is not null)
            {
                return false;
            }

            _breach = breach;
            return true;
        }
    }

    public void AddReason(string reason)
    {
        lock (_gate)
        {
            _reasons.Add(reason);
        }
    }

    public void AddPhase(PhaseRecord phase)
    {
        lock (_gate)
        {
            _phases.Add(phase);
        }
    }

    public PhaseRecord? Phase(ExperimentStatus phase)
    {
        lock (_gate)
        {
            return _phases.FirstOrDefault(p => p.Phase == phase);
        }
    }

    /// <summary>The probes measured, not judged: prometheus probes without op and threshold.</summary>
    public IReadOnlySet<string> MeasuredProbes { get; } = run.Config.SteadyStateProbes.Where(p => p.MeasureOnly).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

    public void AddProbes(IEnumerable<ProbeResult> results)
    {
        lock (_gate)
        {
            foreach (var result in results)
            {
                (MeasuredProbes.Contains(result.Probe) ? _measured : _probes).Add(result);
            }
        }
    }

    /// <summary>The results recorded since <paramref name="seen"/> results, and the new count.</summary>
    public (List<ProbeResult> Recent, int Seen) ProbesSince(int seen)
    {
        lock (_gate)
        {
            return (_probes.Skip(seen).ToList(), _probes.Count);
        }
    }

    public List<ProbeResult> Probes(Func<ProbeResult, bool> where)
    {
        lock (_gate)
        {
            return _probes.Where(where).ToList();
        }
    }

    public void AddFault(AppliedFault fault)
    {
        lock (_gate)
        {
            _faults.Add(fault);
            run.ActiveFaultIds = _faults.Where(f => f.RemovedAt is null).Select(f => f.FaultId).ToList();
        }
    }

    public List<AppliedFault> OpenFaults()
    {
        lock (_gate)
        {
            return _faults.Where(f => f.RemovedAt is null).ToList();
        }
    }

    public void MarkRemoved(AppliedFault fault, DateTimeOffset removedAt)
    {
        lock (_gate)
        {
            _faults[_faults.IndexOf(fault)] = fault with { RemovedAt = removedAt };
            run.ActiveFaultIds = _faults.Where(f => f.RemovedAt is null).Select(f => f.FaultId).ToList();
        }
    }

    /// <summary>When the last fault of the experiment was removed; null when it applied none.</summary>
    public DateTimeOffset? LastRemoval()
    {
        lock (_gate)
        {
            return _faults.Count == 0 || _faults.Any(f => f.RemovedAt is null) ? null : _faults.Max(f => f.RemovedAt!.Value);
        }
    }

    /// <summary>The result as it stands; <paramref name="measurementsOf"/> gives a removed fault's counts.</summary>
    public ExperimentResult ToResult(ExperimentVerdict verdict, DateTimeOffset ended, bool rolledBack, RecoveryMeasurement recovery, Func<string, IReadOnlyDictionary<string, long>?>? measurementsOf = null)
    {
        lock (_gate)
        {
            return new ExperimentResult
            {
                ExperimentId = run.Id,
                Name = run.Config.Name,
                Verdict = verdict,
                Reasons = [.. _reasons],
                Started = run.Started,
                Ended = ended,
                Phases = [.. _phases],
                Faults = [.. _faults.Select(f => measurementsOf?.Invoke(f.FaultId) is { } counts ? f with { Measurements = counts } : f)],
                ProbeResults = [.. _probes.Concat(_measured).OrderBy(r => r.Time)],
                Breach = _breach,
                TimeToRecover = recovery.TimeToRecover,
                Outage = Outage(),
                AutoRecoveryResponseTime = recovery.AutoRecoveryResponseTime,
                RolledBack = rolledBack,
                Impact = ExperimentImpact.Of(_faults, _probes, ended),
                MetricChanges = MetricChange.Of(_phases, [.. _probes, .. _measured]),
                MeasuredProbes = [.. MeasuredProbes.Order(StringComparer.Ordinal)],
            };
        }
    }

    // From the first failing probe after injection began to the first success after the last
    // failure: the outage the targets' users saw, whatever brought them back (the supervisor,
    // their own recovery, or the fault's removal). Zero when no probe failed.
    private TimeSpan? Outage()
    {
        var injection = _phases.FirstOrDefault(p => p.Phase == ExperimentStatus.Injection);
        if (injection is null || _probes.Count == 0)
        {
            return null;
        }

        var after = _probes.Where(p => p.Time >= injection.Started).OrderBy(p => p.Time).ToList();
        var firstFailure = after.FirstOrDefault(p => !p.Success);
        if (firstFailure is null)
        {
            return TimeSpan.Zero;
        }

        var lastFailure = after.Last(p => !p.Success);
        var recovered = after.FirstOrDefault(p => p.Success && p.Time > lastFailure.Time);
        return recovered is null ? null : recovered.Time - firstFailure.Time;
    }
}
