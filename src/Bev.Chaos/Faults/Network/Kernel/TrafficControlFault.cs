using System.Globalization;
using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults.Network.Kernel;

/// <summary>
/// Root qdiscs on a device inside a namespace, with our own handle, so removal and reconcile only
/// ever delete a qdisc we put there: <c>tbf</c> for bandwidth, <c>netem</c> for delay,
/// duplication and corruption (where the kernel has it: the error says so where it does not).
/// </summary>
internal static class TrafficControlFault
{
    public const string Handle = "bcbc:";

    public static void Validate(FaultContext context, List<ValidationError> errors)
    {
        NetworkNamespace.Validate(context, errors);
        if (context.Parameters.GetStringOrNull(NetworkParameters.Device) is null)
        {
            errors.Add(new ValidationError($"parameters.{NetworkParameters.Device}", null, "the network interface to shape inside the namespace (e.g. eth0, veth0)"));
        }
    }

    public static JsonObject Prepare(FaultContext context, string injector)
    {
        NetworkNamespace.Require("tc", "iproute2", injector);
        return new JsonObject
        {
            ["mechanism"] = NftablesFault.Mechanism,
            ["netns"] = NetworkNamespace.For(context).Path,
            ["device"] = context.Parameters.GetString(NetworkParameters.Device),
        };
    }

    /// <summary>Installs <c>tc qdisc add dev DEV root handle bcbc: KIND ARGS</c>.</summary>
    public static async Task ApplyAsync(JsonObject recipe, string kind, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var ns = new NetworkNamespace(recipe["netns"]!.GetValue<string>());
        var device = recipe["device"]!.GetValue<string>();
        var (showCode, current) = await ns.RunAsync("tc", ["qdisc", "show", "dev", device, "root"], null, cancellationToken).ConfigureAwait(false);
        if (showCode != 0)
        {
            throw new ChaosValidationException($"parameters.{NetworkParameters.Device}", device, "an interface that exists in the namespace: " + current);
        }

        if (current.Contains("qdisc " , StringComparison.Ordinal) && !IsDefault(current))
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
    }

    /// <summary>Deletes our root qdisc, only if the root is still ours. Idempotent.</summary>
    public static async Task RevertAsync(JsonObject recipe, CancellationToken cancellationToken)
    {
        var ns = new NetworkNamespace(recipe["netns"]!.GetValue<string>());
        if (!ns.Exists)
        {
            return;
        }

        var device = recipe["device"]!.GetValue<string>();
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

    public static string Rate(long kilobytesPerSecond) => (kilobytesPerSecond * 8).ToString(CultureInfo.InvariantCulture) + "kbit";

    private static bool IsDefault(string qdisc) =>
        qdisc.Contains("noqueue", StringComparison.Ordinal) || qdisc.Contains("pfifo_fast", StringComparison.Ordinal)
        || qdisc.Contains("qdisc mq ", StringComparison.Ordinal) || qdisc.Contains("fq_codel", StringComparison.Ordinal)
        || qdisc.Contains(" " + Handle + " ", StringComparison.Ordinal);
}
