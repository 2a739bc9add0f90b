using System.Text.Json.Serialization;

namespace Bev.Chaos.Events;

/// <summary>Something the engine did. Every subscriber (logs, store, WebSocket, metrics) sees the same stream.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(FaultInjectedEvent), "fault_injected")]
[JsonDerivedType(typeof(FaultRemovedEvent), "fault_removed")]
[JsonDerivedType(typeof(FaultFailedEvent), "fault_failed")]
[JsonDerivedType(typeof(FaultEffectLostEvent), "fault_effect_lost")]
[JsonDerivedType(typeof(EmergencyStopEvent), "emergency_stop")]
[JsonDerivedType(typeof(TargetRestartedEvent), "target_restarted")]
[JsonDerivedType(typeof(ExperimentPhaseEvent), "experiment_phase")]
[JsonDerivedType(typeof(ExperimentFinishedEvent), "experiment_finished")]
[JsonDerivedType(typeof(SafetyBreachEvent), "safety_breach")]
public abstract record ChaosEvent(DateTimeOffset Time);

/// <summary>A fault's effect is in place.</summary>
public sealed record FaultInjectedEvent(DateTimeOffset Time, string FaultId, string InjectorName, string TargetService, DateTimeOffset ExpiresAt, TimeSpan InjectLatency)
    : ChaosEvent(Time);

/// <summary>Why a fault was removed.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RemovalReason>))]
public enum RemovalReason
{
    /// <summary>Someone asked.</summary>
    Requested,

    /// <summary>Its duration ran out.</summary>
    Expired,

    /// <summary>Emergency stop.</summary>
    EmergencyStop,

    /// <summary>Its engine died and another process reverted it.</summary>
    Reconciled,

    /// <summary>The engine shut down.</summary>
    Shutdown,

    /// <summary>Its controller stopped renewing its lease (crash or partition): the agent's dead-man switch.</summary>
    LeaseExpired,
}

/// <summary>A fault's effect is gone.</summary>
public sealed record FaultRemovedEvent(DateTimeOffset Time, string FaultId, string InjectorName, string TargetService, RemovalReason Reason)
    : ChaosEvent(Time);

/// <summary>A fault could not be injected or removed.</summary>
public sealed record FaultFailedEvent(DateTimeOffset Time, string FaultId, string InjectorName, string TargetService, string Error)
    : ChaosEvent(Time);

/// <summary>
/// A fault still in effect by its clock whose effect the engine saw vanish (its helper died, its
/// target runs again): it stays listed until it ends, with <c>error</c> saying what was lost.
/// </summary>
public sealed record FaultEffectLostEvent(DateTimeOffset Time, string FaultId, string InjectorName, string TargetService, string Reason)
    : ChaosEvent(Time);

/// <summary>Emergency stop: everything removed.</summary>
public sealed record EmergencyStopEvent(DateTimeOffset Time, int FaultsRemoved, TimeSpan Took) : ChaosEvent(Time);

/// <summary>The supervisor restarted a managed target.</summary>
public sealed record TargetRestartedEvent(DateTimeOffset Time, string TargetService, int Pid, TimeSpan Downtime) : ChaosEvent(Time);

/// <summary>An experiment entered a phase.</summary>
public sealed record ExperimentPhaseEvent(DateTimeOffset Time, string ExperimentId, string Name, Experiments.ExperimentStatus Phase) : ChaosEvent(Time);

/// <summary>An experiment reached its verdict.</summary>
public sealed record ExperimentFinishedEvent(DateTimeOffset Time, string ExperimentId, string Name, Experiments.ExperimentVerdict Verdict, IReadOnlyList<string> Reasons) : ChaosEvent(Time)
{
    /// <summary>From the last fault's removal to the first of the healthy observations that count as recovered; null when it did not recover or had no fault.</summary>
    public TimeSpan? TimeToRecover { get; init; }

    /// <summary>From the last fault's removal until the auto-recovery system reported healthy; null without one.</summary>
    public TimeSpan? AutoRecoveryResponseTime { get; init; }

    /// <summary>True only when every fault removal and rollback step succeeded.</summary>
    public bool RolledBack { get; init; }

    /// <summary>What the faults did to the targets as the probes saw it, and each fault's effectiveness.</summary>
    public Experiments.ExperimentImpact Impact { get; init; } = Experiments.ExperimentImpact.None;
}

/// <summary>A safety threshold was crossed during an experiment.</summary>
public sealed record SafetyBreachEvent(DateTimeOffset Time, string ExperimentId, string Threshold, double Observed, double Limit) : ChaosEvent(Time);
