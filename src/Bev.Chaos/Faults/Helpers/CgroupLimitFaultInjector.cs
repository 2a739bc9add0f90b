using System.Text.Json.Nodes;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Faults.Helpers;

/// <summary>
/// A fault that holds its target in a child cgroup made for it, with a limit written there
/// (<c>cpu_throttle</c>, <c>memory_limit</c>, <c>io_delay</c>). The sequence they share lives here:
/// refuse a target already held in a fault's cgroup, record the child in the recipe, put the target
/// under the limit (v1: the limit is written, then the target moved in; v2: the target is moved in,
/// the controller enabled, then the limit written — whichever the controller is mounted as), watch that the
/// target stays there, and on removal lift the limit, move the target back and delete the child.
/// Each type says only which controller and what limit.
/// </summary>
/// <typeparam name="TOptions">The fault type's options record.</typeparam>
internal abstract class CgroupLimitFaultInjector<TOptions> : FaultInjector<TOptions>
    where TOptions : class, new()
{
    /// <summary>The controller of the limit, by its v1 name (<c>cpu</c>, <c>memory</c>, <c>blkio</c>).</summary>
    protected abstract string Controller { get; }

    /// <summary>One limit per target: a second would move the target out from under the first.</summary>
    public sealed override bool ExclusivePerTarget => true;

    /// <inheritdoc />
    protected internal override void Validate(FaultContext context, List<ValidationError> errors) =>
        CgroupConfinement.RejectNested(context.Target, Controller, errors);

    /// <inheritdoc />
    protected internal sealed override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken)
    {
        CgroupLayout.Require(Controller, Name);
        var recipe = CgroupConfinement.Prepare(Controller, context.Target, context.FaultId);
        AddToRecipe(context, recipe);
        return ValueTask.FromResult(recipe);
    }

    /// <inheritdoc />
    protected internal sealed override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        if (CgroupConfinement.IsV2(undo))
        {
            CgroupConfinement.ApplyV2(undo, child => WriteLimitV2(context, undo, child));
        }
        else
        {
            CgroupConfinement.Apply(undo, (controller, child) => WriteLimitV1(context, undo, controller, child));
        }

        return ValueTask.FromResult<IAsyncDisposable?>(null);
    }

    /// <summary>The limit holds while the target is in the fault's cgroup; see <see cref="CgroupConfinement.EffectLost"/>.</summary>
    protected internal sealed override string? EffectLost(JsonObject undo) => CgroupConfinement.EffectLost(undo);

    /// <inheritdoc />
    protected internal sealed override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        if (CgroupConfinement.IsV2(undo))
        {
            CgroupConfinement.RevertV2(undo, child => LiftLimitV2(undo, child));
        }
        else
        {
            CgroupConfinement.Revert(undo, (controller, child) => LiftLimitV1(undo, controller, child));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>What else the revert needs besides the cgroups (e.g. the device a throttle is on); nothing by default.</summary>
    protected virtual void AddToRecipe(FaultContext context, JsonObject recipe)
    {
    }

    /// <summary>Writes the limit into the v1 child <paramref name="child"/> of <paramref name="controller"/>, before the target moves in.</summary>
    protected abstract void WriteLimitV1(FaultContext context, JsonObject recipe, string controller, string child);

    /// <summary>Writes the limit into the v2 child <paramref name="child"/>, once the target is in it and the controller enabled.</summary>
    protected abstract void WriteLimitV2(FaultContext context, JsonObject recipe, string child);

    /// <summary>Lifts the v1 limit before the target moves back; nothing by default (deleting the child lifts it).</summary>
    protected virtual void LiftLimitV1(JsonObject recipe, string controller, string child)
    {
    }

    /// <summary>Lifts the v2 limit before the target moves back (a process leaving a limited group can stay held by it).</summary>
    protected abstract void LiftLimitV2(JsonObject recipe, string child);
}
