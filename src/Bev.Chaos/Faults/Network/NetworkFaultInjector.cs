using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults.Network;

/// <summary>
/// The base of the network faults: a fault type is its own parameters plus one or two
/// <see cref="NetworkMechanism"/>s (the L4 fault proxy on a target's proxied dependencies, the
/// kernel inside a network namespace). The mechanism is chosen in one place,
/// <see cref="Choose"/>, and recorded in the recipe; apply and revert follow the recipe.
/// </summary>
/// <typeparam name="TOptions">The fault type's own options record (its parameters, listed first).</typeparam>
internal abstract class NetworkFaultInjector<TOptions> : FaultInjector<TOptions>
    where TOptions : class, new()
{
    private readonly IReadOnlyList<NetworkMechanism> _mechanisms;
    private readonly IReadOnlyList<FaultParameter> _shared;
    private IReadOnlyList<FaultParameter>? _parameters;

    /// <param name="mechanisms">Proxy first, then kernel: the order <c>mechanism</c> lists them in.</param>
    protected NetworkFaultInjector(params NetworkMechanism[] mechanisms)
        : this([], mechanisms)
    {
    }

    /// <param name="shared">Parameters a family of types shares (the protocol faults' <c>seed</c>), listed after the type's own.</param>
    /// <param name="mechanisms">Proxy first, then kernel: the order <c>mechanism</c> lists them in.</param>
    protected NetworkFaultInjector(IReadOnlyList<FaultParameter> shared, params NetworkMechanism[] mechanisms)
    {
        _mechanisms = mechanisms;
        _shared = shared;
    }

    public override FaultCategory Category => FaultCategory.Network;

    /// <summary>
    /// The type's own options, then the family's shared ones, <c>mechanism</c>, and the parameters its
    /// mechanisms read. Built on first use, so a wrong options record fails at registration, naming it.
    /// </summary>
    public override IReadOnlyList<FaultParameter> Parameters =>
        _parameters ??= [.. base.Parameters, .. _shared, NetworkParameters.Mechanism([.. _mechanisms.Select(m => m.Name)]), .. _mechanisms.SelectMany(m => m.Parameters)];

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        var (name, mechanism) = Choose(context);
        if (mechanism is null)
        {
            errors.Add(new ValidationError($"parameters.{NetworkParameters.MechanismName}", name,
                $"{string.Join(" or ", _mechanisms.Select(m => m.Name))} ({Name} has no {name} mechanism{(name == NetworkParameters.ProxyMechanism ? "" : "; the target has no proxied dependencies")})"));
            return;
        }

        mechanism.Validate(context, errors);
    }

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var (name, mechanism) = Choose(context);
        var recipe = (mechanism ?? throw new InvalidOperationException($"{Name} has no {name} mechanism")).Prepare(context, Name);
        return ValueTask.FromResult(recipe);
    }

    protected internal override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken) =>
        (Recorded(undo) ?? throw new InvalidOperationException($"{Name} has no {NetworkRecipe.MechanismOf(undo)} mechanism")).ApplyAsync(context, undo, cancellationToken);

    /// <summary>Asks the recorded mechanism: a proxy fault whose toxic was deleted (a <c>/reset</c>), its proxy deleted or enabled again.</summary>
    protected internal override string? EffectLost(JsonObject undo) => Recorded(undo)?.EffectLost(undo);

    // A recipe without a known mechanism describes nothing that was applied.
    protected internal override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken) =>
        Recorded(undo)?.RevertAsync(undo, cancellationToken) ?? ValueTask.CompletedTask;

    /// <summary>
    /// The one decision: the mechanism asked for, else proxy for a target with proxied
    /// dependencies and kernel otherwise; null when this fault type lacks it.
    /// </summary>
    /// <summary>The mechanism this fault will use: the one asked for, else the proxy where the target has proxied dependencies, else the kernel.</summary>
    protected string ChosenMechanism(FaultContext context) => Choose(context).Name;

    private (string Name, NetworkMechanism? Mechanism) Choose(FaultContext context)
    {
        var name = context.Parameters.GetStringOrNull(NetworkParameters.MechanismName)
            ?? (context.Target.Definition?.Proxies.Count > 0 ? NetworkParameters.ProxyMechanism : NetworkParameters.KernelMechanism);
        return (name, Find(name));
    }

    private NetworkMechanism? Recorded(JsonObject recipe) => NetworkRecipe.MechanismOf(recipe) is { } name ? Find(name) : null;

    private NetworkMechanism? Find(string name) => _mechanisms.FirstOrDefault(m => m.Name == name);
}
