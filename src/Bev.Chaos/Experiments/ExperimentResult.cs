using Bev.Chaos.Probes;

namespace Bev.Chaos.Experiments;

/// <summary>One phase's span.</summary>
public sealed record PhaseRecord(ExperimentStatus Phase, DateTimeOffset Started, DateTimeOffset Ended);

/// <summary>A fault the experiment applied.</summary>
public sealed record AppliedFault(string FaultId, string Injector, string Target, DateTimeOffset InjectedAt, DateTimeOffset? RemovedAt);

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

    /// <summary>From the last fault's removal to the first sustained healthy probe round; null when not measured.</summary>
    public TimeSpan? TimeToRecover { get; init; }

    /// <summary>True once every fault of the experiment was removed (always, by the end).</summary>
    public bool RolledBack { get; init; }
}
