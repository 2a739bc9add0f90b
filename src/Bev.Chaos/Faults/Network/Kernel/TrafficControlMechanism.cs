using System.Globalization;
using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults.Network.Kernel;

/// <summary>
/// A root qdisc on a device inside a namespace, with our own handle, so removal and reconcile only
/// ever delete a qdisc we put there: <c>tbf</c> for bandwidth, <c>netem</c> for delay,
/// duplication and corruption (where the kernel has it: the error says so where it does not).
/// The fault type says which qdisc, with which arguments. With <c>port</c> or <c>address</c> the
/// qdisc acts on the target's traffic alone: the root is an <c>htb</c> whose one class carries it,
/// chosen by u32 filters (to or from the port, to or from the address); every other packet takes
/// htb's unshaped direct path — so a tc fault on a host interface touches nothing else on the
/// host, and in the host's namespace a filter is required. Removal deletes our root, and with it
/// the class, the qdisc and the filters.
/// </summary>
internal sealed class TrafficControlMechanism(Func<FaultContext, (string Kind, IReadOnlyList<string> Arguments)> qdiscFor)
    : NetworkMechanism(NetworkParameters.KernelMechanism, [NetworkParameters.NetnsParameter, NetworkParameters.DeviceParameter, NetworkParameters.AddressParameter, NetworkParameters.PortParameter])
{
    /// <summary>The handle of every qdisc we add.</summary>
    public const string Handle = "bcbc:";

    // Set on a recipe whose device another fault held: its revert leaves that fault's root alone.
    private const string HeldByAnotherKey = "held_by_another";

    // The class the filters send the target's packets to, and the fault's qdisc under it.
    private const string FilteredClass = "bcbc:4";
    private const string FilteredHandle = "bcbd:";

    public override void Validate(FaultContext context, List<ValidationError> errors)
    {
        NetworkNamespace.Validate(context, errors);
        if (context.Parameters.GetStringOrNull(NetworkParameters.Device) is null)
        {
            errors.Add(new ValidationError($"parameters.{NetworkParameters.Device}", null, "the network interface to shape inside the namespace (e.g. eth0, veth0)"));
        }

        var address = context.Parameters.GetStringOrNull(NetworkParameters.Address);
        if (address is not null && Ipv4(address) is null)
        {
            errors.Add(new ValidationError($"parameters.{NetworkParameters.Address}", address, "an IPv4 address in four dotted numbers (192.0.2.10)"));
        }
    }

    public override JsonObject Prepare(FaultContext context, string injector)
    {
        NetworkNamespace.Require("tc", "iproute2", injector);
        var ns = NetworkNamespace.For(context);
        if (ns.IsHost && Filters(context).Count == 0)
        {
            throw new ChaosValidationException($"parameters.{NetworkParameters.Port}", null,
                "a port or an address: the target shares the host's network namespace, and an unfiltered qdisc would shape the whole host's traffic on that interface (or name a netns)");
        }

        return new TrafficControlRecipe(ns.Path, context.Parameters.GetString(NetworkParameters.Device)).ToJson();
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

        if (current.Contains(" " + Handle + " ", StringComparison.Ordinal))
        {
            // Another fault's root: this recipe must not take it out when the failed injection is reverted.
            recipe[HeldByAnotherKey] = true;
            throw new InvalidOperationException($"{device} already carries another BEV Chaos tc fault (our root qdisc {Handle}); one tc fault per device: remove that one first, or shape another device");
        }

        if (current.Contains("qdisc ", StringComparison.Ordinal) && !IsDefault(current))
        {
            throw new InvalidOperationException($"{device} already has a root qdisc that is not ours ({current.Split('\n')[0]}); refusing to replace it");
        }

        var filters = Filters(context);
        if (filters.Count == 0)
        {
            await TcAsync(ns, kind, device, ["qdisc", "add", "dev", device, "root", "handle", Handle, kind, .. arguments], cancellationToken).ConfigureAwait(false);
            return null;
        }

        try
        {
            // htb's default 0: unclassified packets take the direct path, unshaped, in a FIFO of
            // direct_qlen packets (given: htb would take the device's txqueuelen, 0 on some).
            await TcAsync(ns, "htb", device, ["qdisc", "add", "dev", device, "root", "handle", Handle, "htb", "direct_qlen", "1000"], cancellationToken).ConfigureAwait(false);
            await TcAsync(ns, "htb", device, ["class", "add", "dev", device, "parent", Handle, "classid", FilteredClass, "htb", "rate", "100gbit", "quantum", "60000"], cancellationToken).ConfigureAwait(false);
            await TcAsync(ns, kind, device, ["qdisc", "add", "dev", device, "parent", FilteredClass, "handle", FilteredHandle, kind, .. arguments], cancellationToken).ConfigureAwait(false);
            // One priority per protocol: the kernel keeps a priority's filters to one protocol.
            foreach (var (protocol, match) in filters)
            {
                await TcAsync(ns, "u32", device, ["filter", "add", "dev", device, "parent", Handle, "protocol", protocol, "prio", protocol == "ip" ? "1" : "2", "u32", .. match, "flowid", FilteredClass], cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // Half a filtered qdisc is no fault: take out what was added (our root holds it all).
            await ns.RunAsync("tc", ["qdisc", "del", "dev", device, "root", "handle", Handle], null, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return null;
    }

    // The u32 matches that pick the target's packets, both ways: TCP and UDP to or from the port,
    // anything to or from the address; both given: the port on that address. A port alone matches
    // IPv6 too (without extension headers, as u32 reads fixed offsets). None: the whole device.
    private static List<(string Protocol, string[] Match)> Filters(FaultContext context)
    {
        var port = context.Parameters.Has(NetworkParameters.Port) ? context.Parameters.GetInteger(NetworkParameters.Port).ToString(CultureInfo.InvariantCulture) : null;
        var address = context.Parameters.GetStringOrNull(NetworkParameters.Address) is { } given ? Ipv4(given) : null;
        var filters = new List<(string, string[])>();
        foreach (var (portKey, addressKey) in new[] { ("dport", "dst"), ("sport", "src") })
        {
            if (port is null)
            {
                if (address is not null)
                {
                    filters.Add(("ip", ["match", "ip", addressKey, address + "/32"]));
                }

                continue;
            }

            foreach (var transport in new[] { "6", "17" })
            {
                string[] onAddress = address is null ? [] : ["match", "ip", addressKey, address + "/32"];
                filters.Add(("ip", ["match", "ip", "protocol", transport, "0xff", "match", "ip", portKey, port, "0xffff", .. onAddress]));
                if (address is null)
                {
                    filters.Add(("ipv6", ["match", "ip6", "protocol", transport, "0xff", "match", "ip6", portKey, port, "0xffff"]));
                }
            }
        }

        return filters;
    }

    // Four dotted numbers, as tc reads them: "10" would parse as 0.0.0.10 and mean something else to tc.
    private static string? Ipv4(string text) =>
        text.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit))
        && System.Net.IPAddress.TryParse(text, out var parsed) && parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? parsed.ToString()
            : null;

    private static async Task TcAsync(NetworkNamespace ns, string kind, string device, string[] arguments, CancellationToken cancellationToken)
    {
        var (code, output) = await ns.RunAsync("tc", arguments, null, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            if (output.Contains("Specified qdisc kind is unknown", StringComparison.Ordinal) || output.Contains("Unknown qdisc", StringComparison.Ordinal)
                || output.Contains("Unknown filter", StringComparison.Ordinal) || output.Contains("Specified filter kind is unknown", StringComparison.Ordinal))
            {
                throw new FeatureUnavailableException(kind == "u32" ? "kernel lacks cls_u32 (tc's u32 filter, needed for a port or address filter)" : $"kernel lacks sch_{kind}");
            }

            throw new InvalidOperationException($"tc refused the {kind} {arguments[0]} on {device}: {output}");
        }
    }

    /// <summary>Deletes our root qdisc, only if the root is still ours. Idempotent.</summary>
    public override async ValueTask RevertAsync(JsonObject recipe, CancellationToken cancellationToken)
    {
        if (TrafficControlRecipe.From(recipe) is not { } fault || recipe[HeldByAnotherKey] is not null)
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
