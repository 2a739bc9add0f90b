using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults;

/// <summary>
/// The base of every fault type. A fault is applied in two steps so that the journal can hold
/// its undo recipe before anything changes: <see cref="PrepareAsync"/> decides everything and
/// returns the recipe without side effects; <see cref="ApplyAsync"/> makes the effect real,
/// adding to the recipe what only then is known (a helper's pid). <see cref="RevertAsync"/>
/// works from the recipe alone, in any process, is idempotent and tolerates a half-applied
/// fault and a target that has gone away.
/// </summary>
public abstract class FaultInjector
{
    /// <summary>The injector's name (<c>cpu_stress</c>), as used in requests and configuration.</summary>
    public abstract string Name { get; }

    /// <summary>What the fault acts on: the network, compute, storage or the application.</summary>
    public abstract FaultCategory Category { get; }

    /// <summary>One sentence for users.</summary>
    public abstract string Description { get; }

    /// <summary>The parameter schema: types, defaults and bounds.</summary>
    public abstract IReadOnlyList<FaultParameter> Parameters { get; }

    /// <summary>Named presets (<c>NAME_light</c>, <c>NAME_medium</c>, <c>NAME_heavy</c>).</summary>
    public virtual IReadOnlyDictionary<string, FaultProfile> Profiles { get; } = new Dictionary<string, FaultProfile>();

    /// <summary>
    /// True for faults that set one value on the target (a stop signal, a cgroup limit) and put
    /// back the one they found: a second such fault on the same target would be undone by the
    /// first one's removal while it still said active, so the engine refuses it with the fault
    /// that holds the target.
    /// </summary>
    public virtual bool ExclusivePerTarget => false;

    /// <summary>
    /// What can be seen of the effect from its recipe, asked about once a second while the fault
    /// is active: null while it holds (or when nothing can be seen), else what was lost. The base
    /// watches a helper-carried fault's helper process.
    /// </summary>
    protected internal virtual string? EffectLost(JsonObject undo) =>
        undo[Helpers.HelperUndo.Key]?.GetValue<string>() is { } helper && Targets.Linux.ProcessIdentity.Parse(helper) is { IsAlive: false } dead
            ? $"its helper process {dead.Pid} is gone"
            : null;

    /// <summary>Checks what the schema cannot (cross-field rules, the target's fitness); adds to <paramref name="errors"/>.</summary>
    protected internal virtual void Validate(FaultContext context, List<ValidationError> errors)
    {
    }

    /// <summary>Decides the fault and returns its undo recipe. No side effects.</summary>
    /// <exception cref="FeatureUnavailableException">The machine lacks what this fault needs.</exception>
    protected internal abstract ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the effect real. May add to <paramref name="undo"/>; may return a handle the engine
    /// disposes on removal after <see cref="RevertAsync"/> has run: the recipe is the one way the
    /// effect is undone (as in crash recovery), the handle releases what lives in this process
    /// alone — a helper's lifeline, and the toxics of a proxy this process hosts, which another
    /// process removing the fault from the journal cannot reach (the owner's journal sync then
    /// disposes the handle, and that takes them out).
    /// </summary>
    protected internal abstract ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken);

    /// <summary>Removes the effect described by <paramref name="undo"/>. Idempotent.</summary>
    protected internal abstract ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken);

    /// <summary>Builds the three standard profiles from one parameter's values.</summary>
    protected IReadOnlyDictionary<string, FaultProfile> LightMediumHeavy(
        IReadOnlyDictionary<string, object> light,
        IReadOnlyDictionary<string, object> medium,
        IReadOnlyDictionary<string, object> heavy,
        TimeSpan? duration = null) =>
        new Dictionary<string, FaultProfile>(StringComparer.Ordinal)
        {
            [$"{Name}_light"] = new($"{Name}_light", light, duration),
            [$"{Name}_medium"] = new($"{Name}_medium", medium, duration),
            [$"{Name}_heavy"] = new($"{Name}_heavy", heavy, duration),
        };
}
