using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Scenarios;

/// <summary>One step of a scenario, as written: its action and parameters (checked by the loader).</summary>
public sealed record ScenarioStep
{
    /// <summary>The step's name (<c>name</c>; default <c>stepN</c>), which <c>remove_fault</c> and errors refer to.</summary>
    public required string Name { get; init; }

    /// <summary>inject_fault, remove_fault, wait, probe, load or parallel.</summary>
    public required string ActionType { get; init; }

    /// <summary>
    /// <c>parameters</c>, as written: single values as text, a nested fault <c>parameters:</c> mapping as a
    /// dictionary; a parallel step's <c>steps</c> are in <see cref="Steps"/>.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Parameters { get; init; } = new Dictionary<string, object?>();

    /// <summary>For parallel: the steps that start together.</summary>
    public IReadOnlyList<ScenarioStep> Steps { get; init; } = [];

    /// <summary>Where it stands (file:line).</summary>
    public string? Location { get; init; }
}

/// <summary>A scenario from the library or a user's YAML: the contract shape of <c>scenarios.yaml</c>.</summary>
public sealed record ScenarioDefinition
{
    /// <summary>The scenario's name (<c>name</c>); a later scenario of the same name replaces it in the library.</summary>
    public required string Name { get; init; }

    /// <summary><c>description</c>: what it does, for people; empty when none.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary><c>category</c>: what part of the system it exercises; <c>application</c> when the YAML names none.</summary>
    public ScenarioCategory Category { get; init; }

    /// <summary><c>complexity</c>: how involved it is; <c>simple</c> when the YAML names none.</summary>
    public ScenarioComplexity Complexity { get; init; }

    /// <summary>
    /// <c>target_services</c>: the experiment's boundary (no fault outside it); the first is the target of an
    /// <c>inject_fault</c> step that names none.
    /// </summary>
    public IReadOnlyList<string> TargetServices { get; init; } = [];

    /// <summary><c>safety_level</c>: how dangerous it is, which decides approvals; default <c>medium</c>.</summary>
    public SafetyLevel SafetyLevel { get; init; } = SafetyLevel.Medium;

    /// <summary><c>steps</c>: the timeline, in order: waits move it on, the steps of a parallel step start together.</summary>
    public IReadOnlyList<ScenarioStep> Steps { get; init; } = [];

    /// <summary>Probes of the steady-state hypothesis (probe steps add to them).</summary>
    public IReadOnlyList<ProbeDefinition> SteadyState { get; init; } = [];

    /// <summary><c>baseline_duration</c>: how long the steady state is measured before the faults (0–1 h).</summary>
    public TimeSpan BaselineDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>recovery_window</c>: how long the targets may take to be healthy again after the faults (0–1 h).</summary>
    public TimeSpan RecoveryWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>validation_duration</c>: how long the steady state is measured again after recovery (0–1 h).</summary>
    public TimeSpan ValidationDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Blast radius: share (1–100) of each target's processes a fault may touch.</summary>
    public int MaxPercent { get; init; } = 100;

    /// <summary>Steps run after the faults are removed, always.</summary>
    public IReadOnlyList<RollbackAction> Rollbacks { get; init; } = [];

    /// <summary>This scenario's own abort thresholds (null: the configuration's).</summary>
    public Configuration.SafetySettings? AbortConditions { get; init; }

    /// <summary>Where it stands (file:line); null when built in C#.</summary>
    public string? Location { get; init; }
}
