using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Scenarios;

/// <summary>One step of a scenario, as written: its action and parameters (checked by the loader).</summary>
public sealed record ScenarioStep
{
    public required string Name { get; init; }

    /// <summary>inject_fault, remove_fault, wait, probe, load or parallel.</summary>
    public required string ActionType { get; init; }

    public IReadOnlyDictionary<string, object?> Parameters { get; init; } = new Dictionary<string, object?>();

    /// <summary>For parallel: the steps that start together.</summary>
    public IReadOnlyList<ScenarioStep> Steps { get; init; } = [];

    /// <summary>Where it stands (file:line).</summary>
    public string? Location { get; init; }
}

/// <summary>A scenario from the library or a user's YAML: the contract shape of <c>scenarios.yaml</c>.</summary>
public sealed record ScenarioDefinition
{
    public required string Name { get; init; }

    public string Description { get; init; } = string.Empty;

    public ScenarioCategory Category { get; init; }

    public ScenarioComplexity Complexity { get; init; }

    public IReadOnlyList<string> TargetServices { get; init; } = [];

    public SafetyLevel SafetyLevel { get; init; } = SafetyLevel.Medium;

    public IReadOnlyList<ScenarioStep> Steps { get; init; } = [];

    /// <summary>Probes of the steady-state hypothesis (probe steps add to them).</summary>
    public IReadOnlyList<ProbeDefinition> SteadyState { get; init; } = [];

    public TimeSpan BaselineDuration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan RecoveryWindow { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ValidationDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Blast radius: share (1–100) of each target's processes a fault may touch.</summary>
    public int MaxPercent { get; init; } = 100;

    /// <summary>Steps run after the faults are removed, always.</summary>
    public IReadOnlyList<RollbackAction> Rollbacks { get; init; } = [];

    /// <summary>This scenario's own abort thresholds (null: the configuration's).</summary>
    public Configuration.SafetySettings? AbortConditions { get; init; }

    public string? Location { get; init; }
}
