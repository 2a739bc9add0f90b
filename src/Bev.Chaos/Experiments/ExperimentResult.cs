using Bev.Chaos.Probes;

namespace Bev.Chaos.Experiments;

/// <summary>One phase's span.</summary>
public sealed record PhaseRecord(ExperimentStatus Phase, DateTimeOffset Started, DateTimeOffset Ended);

/// <summary>A fault the experiment applied.</summary>
public sealed record AppliedFault(string FaultId, string InjectorName, string TargetService, DateTimeOffset InjectedAt, DateTimeOffset? RemovedAt)
{
    /// <summary>
    /// What the fault did, as counted just before its removal: for proxy faults <c>matched</c> and
    /// <c>affected</c> requests (commands, queries) of a protocol toxic, <c>connections</c>,
    /// <c>bytes_delayed</c>, <c>resets</c>. Null for faults that count nothing.
    /// </summary>
    public IReadOnlyDictionary<string, long>? Measurements { get; init; }
}

/// <summary>A safety threshold crossed: which, the value seen, the limit, when.</summary>
public sealed record SafetyBreach(string Threshold, double Observed, double Limit, DateTimeOffset Time)
{
    public override string ToString() => $"{Threshold} {Observed:0.###} above {Limit:0.###} at {Time:HH:mm:ss.fff}";
}

/// <summary>Everything an experiment did and concluded.</summary>
public sealed record ExperimentResult
{
    public required string ExperimentId { get; init; }

    public required string Name { get; init; }

    public required ExperimentVerdict Verdict { get; init; }

    public required IReadOnlyList<string> Reasons { get; init; }

    public required DateTimeOffset Started { get; init; }

    public required DateTimeOffset Ended { get; init; }

    public IReadOnlyList<PhaseRecord> Phases { get; init; } = [];

    public IReadOnlyList<AppliedFault> Faults { get; init; } = [];

    public IReadOnlyList<ProbeResult> ProbeResults { get; init; } = [];

    public SafetyBreach? Breach { get; init; }

    /// <summary>
    /// Time to recover: from the last fault's removal to the first of
    /// <see cref="RecoveryTime.ConsecutiveHealthy"/> consecutive healthy recovery probe rounds
    /// (docs/resilience.md); zero when the experiment applied no fault or has nothing to probe;
    /// null when the targets did not recover, or the run ended before the recovery phase.
    /// </summary>
    public TimeSpan? TimeToRecover { get; init; }

    /// <summary>
    /// The outage the probes saw: from the first failing probe after injection began to the first
    /// success after the last failure, whatever ended it (a supervisor's restart, the fault's
    /// removal); zero when no probe failed, null without probes or when it never ended.
    /// </summary>
    public TimeSpan? Outage { get; init; }

    /// <summary>
    /// The auto-recovery system's response time (<c>integration.auto_recovery_url</c>): from the last
    /// fault's removal until it first reported healthy; null when none is configured or it never did.
    /// </summary>
    public TimeSpan? AutoRecoveryResponseTime { get; init; }

    /// <summary>
    /// True only when every rollback ran and succeeded: each of the experiment's faults still in
    /// effect was removed, and each of its <see cref="ExperimentConfig.Rollbacks"/> steps succeeded.
    /// </summary>
    public bool RolledBack { get; init; }

    /// <summary>What the faults did to the targets as the probes saw it, and each fault's effectiveness.</summary>
    public ExperimentImpact Impact { get; init; } = ExperimentImpact.None;

    /// <summary>
    /// Each prometheus probe's metric, phase by phase: how much it moved (a service's retries while
    /// the faults were in, against the baseline's). Empty without prometheus probes.
    /// </summary>
    public IReadOnlyList<MetricChange> MetricChanges { get; init; } = [];

    /// <summary>
    /// The probes that only measured (prometheus probes without op and threshold): their results are
    /// in <see cref="ProbeResults"/> and <see cref="MetricChanges"/>, never in the verdict, the
    /// impact or the availability.
    /// </summary>
    public IReadOnlyList<string> MeasuredProbes { get; init; } = [];
}
