using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network;

/// <summary>Parameters shared by the network faults, for both mechanisms.</summary>
internal static class NetworkParameters
{
    public const string MechanismName = "mechanism";
    public const string ProxyMechanism = "proxy";
    public const string KernelMechanism = "kernel";
    public const string Dependency = "dependency";
    public const string Stream = "stream";
    public const string Toxicity = "toxicity";
    public const string Netns = "netns";
    public const string Device = "device";
    public const string Address = "address";
    public const string Port = "port";
    public const string Protocol = "protocol";
    public const string Direction = "direction";

    /// <summary>proxy (the L4 fault proxy, for catalog targets with proxied dependencies) or kernel (nftables/tc in a network namespace).</summary>
    public static FaultParameter Mechanism(params string[] allowed) =>
        new(MechanismName, FaultParameterType.String, "proxy: toxics on the target's proxied dependencies; kernel: nftables/tc inside a network namespace (root). Default: proxy when the target has proxied dependencies, else kernel.")
        { AllowedValues = allowed, Optional = true };

    public static readonly FaultParameter DependencyParameter =
        FaultParameter.Text(Dependency, "proxy: which proxied dependency (default: all of the target's).", null) with { Optional = true };

    public static FaultParameter StreamParameter(string fallback) =>
        FaultParameter.Text(Stream, "proxy: upstream (target → dependency), downstream (dependency → target) or both.", fallback, "upstream", "downstream", "both");

    public static readonly FaultParameter ToxicityParameter =
        FaultParameter.Number(Toxicity, "proxy: probability that a connection is affected.", 1.0, 0, 1);

    public static readonly FaultParameter NetnsParameter =
        FaultParameter.Text(Netns, "kernel: a named network namespace (ip netns); default: the target's own.", null) with { Optional = true };

    public static readonly FaultParameter DeviceParameter =
        FaultParameter.Text(Device, "kernel: the network interface inside the namespace (tc faults).", null) with { Optional = true };

    public static readonly FaultParameter AddressParameter =
        FaultParameter.Text(Address, "kernel: only packets to or from this IPv4 address.", null) with { Optional = true };

    public static readonly FaultParameter PortParameter =
        FaultParameter.Integer(Port, "kernel: only packets to or from this port.", null, 1, 65535) with { Optional = true };

    public static readonly FaultParameter ProtocolParameter =
        FaultParameter.Text(Protocol, "kernel: tcp, udp, icmp or all.", "all", "tcp", "udp", "icmp", "all");

    public static readonly FaultParameter DirectionParameter =
        FaultParameter.Text(Direction, "kernel: ingress, egress or both.", "both", "ingress", "egress", "both");

    public static IReadOnlyList<ToxicStream> Streams(FaultContext context) => context.Parameters.GetString(Stream) switch
    {
        "upstream" => [ToxicStream.Upstream],
        "downstream" => [ToxicStream.Downstream],
        _ => [ToxicStream.Upstream, ToxicStream.Downstream],
    };
}
