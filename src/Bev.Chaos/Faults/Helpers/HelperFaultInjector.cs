using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults.Helpers;

/// <summary>
/// A fault carried by an effect helper process (<c>cpu_stress</c>, <c>memory_leak</c>,
/// <c>connection_exhaustion</c>). The sequence they share lives here: start the helper in its mode
/// with the fault's options and a time to live just past the fault's duration, charge it to the
/// target's own cgroups where it has them (so the target competes with the load and its accounting
/// shows it), record it in the recipe, and on removal stop it. Each type says only which mode, with
/// which options, charged to which controllers.
/// </summary>
/// <typeparam name="TOptions">The fault type's options record.</typeparam>
internal abstract class HelperFaultInjector<TOptions> : FaultInjector<TOptions>
    where TOptions : class, new()
{
    /// <summary>The helper's mode (<c>cpu</c>, <c>memory</c>, <c>connections</c>).</summary>
    protected abstract string HelperMode { get; }

    /// <summary>The v1 controllers whose target cgroup the helper joins; none by default.</summary>
    protected virtual IReadOnlyList<string> ChargedTo => [];

    /// <inheritdoc />
    protected internal sealed override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new JsonObject());

    /// <inheritdoc />
    protected internal sealed override async ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var cgroups = ChargedTo.Select(controller => (Controller: controller, Cgroup: CgroupConfinement.OwnCgroupOf(context.Target, controller)))
            .Where(c => c.Cgroup is not null)
            .ToList();
        var helper = await HelperProcess.StartAsync(HelperMode, HelperOptions(context), context.Duration + TimeSpan.FromSeconds(1), cgroups.Count == 0 ? null : identity =>
        {
            foreach (var (controller, cgroup) in cgroups)
            {
                CgroupConfinement.Join(controller, cgroup!, identity.Pid);
            }
        }, cancellationToken).ConfigureAwait(false);
        HelperUndo.Record(undo, helper);
        try
        {
            await OnStartedAsync(context, helper, undo).ConfigureAwait(false);
        }
        catch
        {
            await helper.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return helper;
    }

    /// <inheritdoc />
    protected internal sealed override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        HelperUndo.Revert(undo);
        return ValueTask.CompletedTask;
    }

    /// <summary>The helper's options for this fault, as its command line takes them.</summary>
    protected abstract IReadOnlyDictionary<string, string> HelperOptions(FaultContext context);

    /// <summary>Checks what the started helper reports and records it; throwing stops the helper and fails the injection.</summary>
    protected virtual ValueTask OnStartedAsync(FaultContext context, HelperProcess helper, JsonObject undo) => ValueTask.CompletedTask;
}
