using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults.Network;

/// <summary>
/// One way a network fault acts — through the fault proxy or in the kernel — as a strategy the
/// fault type is built with. <see cref="NetworkFaultInjector{TOptions}"/> picks one when it prepares a fault
/// and writes its <see cref="Name"/> into the recipe; apply and revert then go to that strategy
/// alone, so the choice is never made again, nor in another process reading the journal.
/// </summary>
internal abstract class NetworkMechanism(string name, IReadOnlyList<FaultParameter> parameters)
{
    /// <summary>The value of <c>parameters.mechanism</c> and of the recipe's <c>mechanism</c>: proxy or kernel.</summary>
    public string Name { get; } = name;

    /// <summary>The shared network parameters this mechanism reads, in the order <c>--injectors</c> lists them.</summary>
    public IReadOnlyList<FaultParameter> Parameters { get; } = parameters;

    /// <summary>Checks the target and parameters fit this mechanism; adds to <paramref name="errors"/>.</summary>
    public abstract void Validate(FaultContext context, List<ValidationError> errors);

    /// <summary>The recipe, with <see cref="Name"/> under <see cref="NetworkRecipe.MechanismKey"/>. No side effects.</summary>
    public abstract JsonObject Prepare(FaultContext context, string injector);

    /// <summary>Makes the effect real from the recipe <see cref="Prepare"/> made; may add to it.</summary>
    public abstract ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken);

    /// <summary>Removes what the recipe describes. Idempotent; works in any process.</summary>
    public abstract ValueTask RevertAsync(JsonObject recipe, CancellationToken cancellationToken);

    /// <summary>What of an applied recipe is no longer in place (see <see cref="FaultInjector.EffectLost"/>); null while it holds or cannot be seen.</summary>
    public virtual string? EffectLost(JsonObject recipe) => null;
}
