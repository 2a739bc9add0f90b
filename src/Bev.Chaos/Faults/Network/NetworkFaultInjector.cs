using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Network.Kernel;
using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network;

/// <summary>
/// The base of the network faults: each acts through the L4 fault proxy on a target's proxied
/// dependencies, through the kernel (nftables, tc) inside a network namespace, or both — chosen
/// by <c>mechanism</c>. Subclasses say what the fault is on each mechanism.
/// </summary>
internal abstract class NetworkFaultInjector(ProxyCollection proxies) : FaultInjector
{
    protected const string ProxyMechanism = "proxy";
    protected const string KernelMechanism = "kernel";

    protected ProxyCollection Proxies { get; } = proxies;

    public override FaultCategory Category => FaultCategory.Network;

    /// <summary>The mechanisms this fault has.</summary>
    protected abstract IReadOnlyList<string> Mechanisms { get; }

    /// <summary>Kernel faults made with tc (a device is needed) rather than nftables.</summary>
    protected virtual bool KernelUsesTrafficControl => false;

    /// <summary>The proxy toxic for one stream; null for a partition (the proxy is disabled).</summary>
    protected virtual ToxicDefinition? ToxicFor(FaultContext context, ToxicStream stream) => null;

    /// <summary>Installs the kernel side; the recipe was made by the matching Prepare.</summary>
    protected virtual Task ApplyKernelAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"{Name} has no kernel mechanism");

    protected static IReadOnlyList<FaultParameter> With(params FaultParameter[] own) => own;

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        var mechanism = NetworkParameters.ChosenMechanism(context);
        if (!Mechanisms.Contains(mechanism))
        {
            errors.Add(new ValidationError($"parameters.{NetworkParameters.MechanismName}", mechanism,
                $"{string.Join(" or ", Mechanisms)} ({Name} has no {mechanism} mechanism{(mechanism == ProxyMechanism ? "" : "; the target has no proxied dependencies")})"));
            return;
        }

        if (mechanism == ProxyMechanism)
        {
            ProxyToxicFault.Validate(context, errors);
        }
        else if (KernelUsesTrafficControl)
        {
            TrafficControlFault.Validate(context, errors);
        }
        else
        {
            NftablesFault.Validate(context, errors);
        }
    }

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var mechanism = NetworkParameters.ChosenMechanism(context);
        var recipe = mechanism == ProxyMechanism
            ? ProxyToxicFault.Prepare(context, context.Parameters.Has(NetworkParameters.Stream) ? NetworkParameters.Streams(context) : [ToxicStream.Downstream])
            : KernelUsesTrafficControl ? TrafficControlFault.Prepare(context, Name) : NftablesFault.Prepare(context, Name);
        return ValueTask.FromResult(recipe);
    }

    protected internal override async ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        if (undo["mechanism"]!.GetValue<string>() == ProxyMechanism)
        {
            return ToxicFor(context, ToxicStream.Downstream) is null
                ? ProxyToxicFault.Disable(Proxies, context, undo)
                : ProxyToxicFault.AddToxics(Proxies, context, undo, stream => ToxicFor(context, stream)!);
        }

        await ApplyKernelAsync(context, undo, cancellationToken).ConfigureAwait(false);
        return null;
    }

    protected internal override async ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        if (undo["mechanism"]?.GetValue<string>() == ProxyMechanism)
        {
            ProxyToxicFault.Revert(Proxies, undo);
        }
        else if (undo["device"] is not null)
        {
            await TrafficControlFault.RevertAsync(undo, cancellationToken).ConfigureAwait(false);
        }
        else if (undo["set"] is not null)
        {
            await NftablesFault.RevertAsync(undo, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A toxic definition from type and attributes.</summary>
    protected static ToxicDefinition Toxic(FaultContext context, string type, ToxicStream stream, params (string Key, long Value)[] attributes) =>
        ToxicTypes.Define("pending", type, stream == ToxicStream.Upstream ? "upstream" : "downstream", context.Parameters.GetNumber(NetworkParameters.Toxicity), attributes.ToDictionary(a => a.Key, a => a.Value));
}
