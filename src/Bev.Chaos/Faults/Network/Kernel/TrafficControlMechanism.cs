using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults.Network.Kernel;

/// <summary>
/// A root qdisc on a device inside a namespace, with our own handle, so removal and reconcile only
/// ever delete a qdisc we put there: <c>tbf</c> for bandwidth, <c>netem</c> for delay,
/// duplication and corruption (where the kernel has it: the error says so where it does not).
/// The fault type says which qdisc, with which arguments.
/// </summary>
internal sealed class TrafficControlMechanism(Func<FaultContext, (string Kind, IReadOnlyList<string> Arguments)> qdiscFor)
    : NetworkMechanism(NetworkParameters.KernelMechanism, [NetworkParameters.NetnsParameter, NetworkParameters.DeviceParameter])
{
    /// <summary>The handle of every qdisc we add.</summary>
    public const string Handle = "bcbc:";

    public override void Validate(FaultContext context, List<ValidationError> errors)
    {
        NetworkNamespace.Validate(context, errors);
        if (context.Parameters.GetStringOrNull(NetworkParameters.Device) is null)
        {
            errors.Add(new ValidationError($"parameters.{NetworkParameters.Device}", null, "the network interface to shape inside the namespace (e.g. eth0, veth0)"));
        }
    }

    public override JsonObject Prepare(FaultContext context, string injector)
    {
        NetworkNamespace.Require("tc", "iproute2", injector);
        return new TrafficControlRecipe(NetworkNamespace.For(context).Path, context.Parameters.GetString(NetworkParameters.Device)).ToJson();
    }

    /// <summary>Installs <c>tc qdisc add dev DEV root handle bcbc: KIND ARGS</c>.</summary>
    public override async ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken)
    {
        var (kind, arguments) = qdiscFor(context);
        var (netns, device) = TrafficControlRecipe.From(recipe) ?? throw new InvalidOperationException("the tc recipe names no device");
        var ns = new NetworkNamespace(netns);
        var (showCode, current) = await ns.RunAsync("tc", ["qdisc", "show", "dev", device, "root"], null, cancellationToken).ConfigureAwait(false);
        if (showCode != 0)
        {
            throw new ChaosValidationException($"parameters.{NetworkParameters.Device}", device, "an interface that exists in the namespace: " + current);
        }

        if (current.Contains("qdisc ", StringComparison.Ordinal) && !IsDefault(current))
        {
            throw new InvalidOperationException($"{device} already has a root qdisc that is not ours ({current.Split('\n')[0]}); refusing to replace it");
        }

        var (code, output) = await ns.RunAsync("tc", ["qdisc", "add", "dev", device, "root", "handle", Handle, kind, .. arguments], null, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            if (output.Contains("Specified qdisc kind is unknown", StringComparison.Ordinal) || output.Contains("Unknown qdisc", StringComparison.Ordinal))
            {
                throw new FeatureUnavailableException($"kernel lacks sch_{kind}");
            }

            throw new InvalidOperationException($"tc refused the {kind} qdisc on {device}: {output}");
        }

        return null;
    }

    /// <summary>Deletes our root qdisc, only if the root is still ours. Idempotent.</summary>
    public override async ValueTask RevertAsync(JsonObject recipe, CancellationToken cancellationToken)
    {
        if (TrafficControlRecipe.From(recipe) is not { } fault)
        {
            return;
        }

        var ns = new NetworkNamespace(fault.Netns);
        if (!ns.Exists)
        {
            return;
        }

        var device = fault.Device;
        var (code, current) = await ns.RunAsync("tc", ["qdisc", "show", "dev", device, "root"], null, cancellationToken).ConfigureAwait(false);
        if (code == 0 && current.Contains(" " + Handle + " ", StringComparison.Ordinal))
        {
            var (deleteCode, output) = await ns.RunAsync("tc", ["qdisc", "del", "dev", device, "root", "handle", Handle], null, cancellationToken).ConfigureAwait(false);
            if (deleteCode != 0)
            {
                throw new InvalidOperationException($"tc could not delete our qdisc on {device}: {output}");
            }
        }
    }

    private static bool IsDefault(string qdisc) =>
        qdisc.Contains("noqueue", StringComparison.Ordinal) || qdisc.Contains("pfifo_fast", StringComparison.Ordinal)
        || qdisc.Contains("qdisc mq ", StringComparison.Ordinal) || qdisc.Contains("fq_codel", StringComparison.Ordinal)
        || qdisc.Contains(" " + Handle + " ", StringComparison.Ordinal);
}
