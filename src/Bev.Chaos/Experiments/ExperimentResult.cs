using Bev.Chaos.Probes;
using Bev.Chaos.Safety;

namespace Bev.Chaos.Experiments;

/// <summary>Everything an experiment did and concluded.</summary>
public sealed record ExperimentResult
{
    /// <summary>The run's id (<see cref="ExperimentRun.Id"/>): <c>exp-</c> and 12 hex digits.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>The experiment's name (<see cref="ExperimentConfig.Name"/>).</summary>
    public required string Name { get; init; }

    /// <summary>How it ended: passed, failed, aborted or interrupted.</summary>
    public required ExperimentVerdict Verdict { get; init; }

    /// <summary>Why, in words: the verdict's reason and each rollback step that failed, in the order they came.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    /// <summary>When the run was started (before any wait for approval).</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>When it ended, after its rollback.</summary>
    public required DateTimeOffset Ended { get; init; }

    /// <summary>The phases it went through, in order, each with its span.</summary>
    public IReadOnlyList<PhaseRecord> Phases { get; init; } = [];

    /// <summary>Every fault it applied: when it was injected and removed, and what it counted.</summary>
    public IReadOnlyList<AppliedFault> Faults { get; init; } = [];

    /// <summary>Every probe result of every phase, those of the measure-only probes included, in time order.</summary>
    public IReadOnlyList<ProbeResult> ProbeResults { get; init; } = [];

    /// <summary>The safety threshold whose crossing aborted the run; null when none did.</summary>
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
