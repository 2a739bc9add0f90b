using Bev.Chaos.Probes;

namespace Bev.Chaos.Experiments;

/// <summary>
/// An experiment: its faults on a timeline, the steady-state hypothesis (probes that must hold
/// before and after), the phase durations and its safety level. Immutable; checked as a whole by
/// <see cref="ExperimentValidator"/> before anything runs.
/// </summary>
public sealed record ExperimentConfig
{
    /// <summary>The experiment's name, in results, logs and events; must not be empty.</summary>
    public required string Name { get; init; }

    /// <summary>What it tests, for people; null: none.</summary>
    public string? Description { get; init; }

    /// <summary>
    /// The experiment's boundary: when not empty, every fault must be on one of these services (a
    /// fault outside is a validation error naming both), and each must be a catalog name or an ad
    /// hoc form (pid:, name:, docker:, agent:). Empty: no boundary beyond the faults' own targets.
    /// </summary>
    public IReadOnlyList<string> TargetServices { get; init; } = [];

    /// <summary>The faults on their timeline (<c>fault_injections</c>); an experiment needs at least one fault or load.</summary>
    public IReadOnlyList<FaultInjectionSpec> FaultInjections { get; init; } = [];

    /// <summary>Constant-rate HTTP load during the injection phase (its results feed the safety monitor).</summary>
    public IReadOnlyList<LoadSpec> Loads { get; init; } = [];

    /// <summary>How dangerous it is (<c>safety_level</c>), which decides approvals; default <c>Medium</c>.</summary>
    public SafetyLevel SafetyLevel { get; init; } = SafetyLevel.Medium;

    /// <summary>Probes of the steady-state hypothesis, run through every phase.</summary>
    public IReadOnlyList<ProbeDefinition> SteadyStateProbes { get; init; } = [];

    /// <summary>This experiment's own abort thresholds; null: the configuration's <c>safety:</c> ones.</summary>
    public Configuration.SafetySettings? AbortConditions { get; init; }

    /// <summary>Steps run after the faults are removed, always (HTTP calls or commands).</summary>
    public IReadOnlyList<RollbackAction> Rollbacks { get; init; } = [];

    /// <summary>Blast radius: the share (1–100) of a target's processes a fault may touch; the rest are spared.</summary>
    public int MaxPercent { get; init; } = 100;

    /// <summary>Share (0–1) of probe results that must succeed in baseline and validation.</summary>
    public double SteadyStateTolerance { get; init; } = 1.0;

    /// <summary>How long the steady state is measured before any fault (<c>baseline_duration</c>, 0–1 h).</summary>
    public TimeSpan BaselineDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the targets may take to be healthy again after the faults are removed.</summary>
    public TimeSpan RecoveryWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the steady state is measured again after recovery (<c>validation_duration</c>, 0–1 h).</summary>
    public TimeSpan ValidationDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time between two probe rounds, in every phase (<c>probe_interval</c>, 50 ms to 60 s).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The whole experiment is aborted (and rolled back) past this.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Blast radius: at most this many distinct targets.</summary>
    public int MaxTargets { get; init; } = 10;

    /// <summary>Injection phase length: the last fault's end.</summary>
    public TimeSpan InjectionDuration => FaultInjections.Select(f => f.Offset + f.Duration)
        .Concat(Loads.Select(l => l.Offset + l.Duration))
        .Append(MinimumInjectionDuration)
        .Max();

    /// <summary>Waits in a scenario can make the injection phase longer than its faults.</summary>
    public TimeSpan MinimumInjectionDuration { get; init; }
}
