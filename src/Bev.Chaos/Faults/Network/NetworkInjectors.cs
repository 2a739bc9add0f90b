using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Network.Kernel;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.NetworkParameters;

namespace Bev.Chaos.Faults.Network;

/// <summary><c>network_delay</c>: latency (± jitter) — the proxy's latency toxic, or netem in the kernel.</summary>
internal sealed class NetworkDelayInjector(ProxyCollection proxies) : NetworkFaultInjector(proxies)
{
    public override string Name => "network_delay";

    public override string Description => "Adds latency (± jitter) to the target's traffic: the proxy's latency toxic, or tc netem in the kernel.";

    protected override IReadOnlyList<string> Mechanisms => [ProxyMechanism, KernelMechanism];

    protected override bool KernelUsesTrafficControl => true;

    public override IReadOnlyList<FaultParameter> Parameters { get; } = With(
        FaultParameter.Integer("delay_ms", "Added latency in milliseconds.", 100, 0, 60_000, "max_delay_ms"),
        FaultParameter.Integer("jitter_ms", "Random variation, ± milliseconds.", 0, 0, 60_000),
        Mechanism("proxy", "kernel"), DependencyParameter, StreamParameter("downstream"), ToxicityParameter, NetnsParameter, DeviceParameter);

    public override IReadOnlyDictionary<string, FaultProfile> Profiles => LightMediumHeavy(
        new Dictionary<string, object> { ["delay_ms"] = 100L, ["jitter_ms"] = 20L },
        new Dictionary<string, object> { ["delay_ms"] = 500L, ["jitter_ms"] = 100L },
        new Dictionary<string, object> { ["delay_ms"] = 2000L, ["jitter_ms"] = 500L });

    protected override ToxicDefinition? ToxicFor(FaultContext context, ToxicStream stream) =>
        Toxic(context, "latency", stream, ("latency", context.Parameters.GetInteger("delay_ms")), ("jitter", context.Parameters.GetInteger("jitter_ms")));

    protected override Task ApplyKernelAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken) =>
        TrafficControlFault.ApplyAsync(recipe, "netem", ["delay", $"{context.Parameters.GetInteger("delay_ms")}ms", $"{context.Parameters.GetInteger("jitter_ms")}ms"], cancellationToken);
}

/// <summary><c>network_bandwidth</c>: a rate limit — the proxy's bandwidth toxic, or tc tbf in the kernel.</summary>
internal sealed class NetworkBandwidthInjector(ProxyCollection proxies) : NetworkFaultInjector(proxies)
{
    public override string Name => "network_bandwidth";

    public override string Description => "Limits the target's throughput: the proxy's bandwidth toxic, or a tc tbf qdisc in the kernel.";

    protected override IReadOnlyList<string> Mechanisms => [ProxyMechanism, KernelMechanism];

    protected override bool KernelUsesTrafficControl => true;

    public override IReadOnlyList<FaultParameter> Parameters { get; } = With(
        FaultParameter.Integer("rate_kbps", "Rate in kilobits per second.", 1000, 8, 100_000_000),
        Mechanism("proxy", "kernel"), DependencyParameter, StreamParameter("downstream"), ToxicityParameter, NetnsParameter, DeviceParameter);

    public override IReadOnlyDictionary<string, FaultProfile> Profiles => LightMediumHeavy(
        new Dictionary<string, object> { ["rate_kbps"] = 10_000L },
        new Dictionary<string, object> { ["rate_kbps"] = 1000L },
        new Dictionary<string, object> { ["rate_kbps"] = 64L });

    // Toxiproxy counts KB/s of 1000 bytes.
    protected override ToxicDefinition? ToxicFor(FaultContext context, ToxicStream stream) =>
        Toxic(context, "bandwidth", stream, ("rate", Math.Max(1, context.Parameters.GetInteger("rate_kbps") / 8)));

    protected override Task ApplyKernelAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken)
    {
        var kbit = context.Parameters.GetInteger("rate_kbps");
        var burst = Math.Max(16, kbit / 8 / 10);
        return TrafficControlFault.ApplyAsync(recipe, "tbf", ["rate", $"{kbit}kbit", "burst", $"{burst}kb", "latency", "400ms"], cancellationToken);
    }
}

/// <summary><c>network_partition</c>: no traffic — proxies disabled, or nftables drop/reject in the kernel.</summary>
internal sealed class NetworkPartitionInjector(ProxyCollection proxies) : NetworkFaultInjector(proxies)
{
    public override string Name => "network_partition";

    public override string Description => "Cuts the target off: its proxies disabled (listener closed, connections cut), or nftables drop/reject in its network namespace.";

    protected override IReadOnlyList<string> Mechanisms => [ProxyMechanism, KernelMechanism];

    public override IReadOnlyList<FaultParameter> Parameters { get; } = With(
        FaultParameter.Text("mode", "kernel: drop packets silently or reject them.", "drop", "drop", "reject"),
        Mechanism("proxy", "kernel"), DependencyParameter, NetnsParameter, AddressParameter, PortParameter, ProtocolParameter, DirectionParameter);

    protected override Task ApplyKernelAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken) =>
        NftablesFault.ApplyAsync(context, recipe, 100, context.Parameters.GetString("mode"), cancellationToken);
}

/// <summary><c>packet_loss</c>: a share of packets dropped by nftables (<c>numgen random</c>).</summary>
internal sealed class PacketLossInjector(ProxyCollection proxies) : NetworkFaultInjector(proxies)
{
    public override string Name => "packet_loss";

    public override string Description => "Drops a share of the target's packets in the kernel (nftables numgen random), filtered by address, port and protocol.";

    protected override IReadOnlyList<string> Mechanisms => [KernelMechanism];

    public override IReadOnlyList<FaultParameter> Parameters { get; } = With(
        FaultParameter.Integer("loss_percent", "Share of matching packets dropped, in percent.", 10, 1, 100, "max_loss_percent"),
        Mechanism("kernel"), NetnsParameter, AddressParameter, PortParameter, ProtocolParameter, DirectionParameter);

    public override IReadOnlyDictionary<string, FaultProfile> Profiles => LightMediumHeavy(
        new Dictionary<string, object> { ["loss_percent"] = 5L },
        new Dictionary<string, object> { ["loss_percent"] = 20L },
        new Dictionary<string, object> { ["loss_percent"] = 50L });

    protected override Task ApplyKernelAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken) =>
        NftablesFault.ApplyAsync(context, recipe, context.Parameters.GetInt32("loss_percent"), "drop", cancellationToken);
}

/// <summary><c>packet_duplicate</c> and <c>packet_corrupt</c>: tc netem in the kernel, where it exists.</summary>
internal sealed class NetemPacketInjector(ProxyCollection proxies, string name, string netemWord) : NetworkFaultInjector(proxies)
{
    public override string Name => name;

    public override string Description => $"{char.ToUpperInvariant(netemWord[0])}{netemWord[1..]}s a share of the target's packets with tc netem (needs sch_netem in the kernel).";

    protected override IReadOnlyList<string> Mechanisms => [KernelMechanism];

    protected override bool KernelUsesTrafficControl => true;

    public override IReadOnlyList<FaultParameter> Parameters { get; } = With(
        FaultParameter.Number("percent", "Share of packets, in percent.", 5, 0.01, 100),
        Mechanism("kernel"), NetnsParameter, DeviceParameter);

    protected override Task ApplyKernelAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken) =>
        TrafficControlFault.ApplyAsync(recipe, "netem", [netemWord, context.Parameters.GetNumber("percent").ToString(CultureInfo.InvariantCulture) + "%"], cancellationToken);
}

/// <summary><c>connection_reset</c>: TCP RST after a time (the proxy's reset_peer toxic).</summary>
internal sealed class ConnectionResetInjector(ProxyCollection proxies) : NetworkFaultInjector(proxies)
{
    public override string Name => "connection_reset";

    public override string Description => "Resets the target's proxied connections (TCP RST) after timeout_ms.";

    protected override IReadOnlyList<string> Mechanisms => [ProxyMechanism];

    public override IReadOnlyList<FaultParameter> Parameters { get; } = With(
        FaultParameter.Integer("timeout_ms", "Milliseconds from connection (or injection) to the reset; 0 = at once.", 0, 0, 3_600_000),
        Mechanism("proxy"), DependencyParameter, StreamParameter("downstream"), ToxicityParameter);

    protected override ToxicDefinition? ToxicFor(FaultContext context, ToxicStream stream) =>
        Toxic(context, "reset_peer", stream, ("timeout", context.Parameters.GetInteger("timeout_ms")));
}

/// <summary><c>network_timeout</c>: data held, connection closed after a time (the proxy's timeout toxic).</summary>
internal sealed class NetworkTimeoutInjector(ProxyCollection proxies) : NetworkFaultInjector(proxies)
{
    public override string Name => "network_timeout";

    public override string Description => "Stops data on the target's proxied connections and closes them after timeout_ms (0: hold until removed).";

    protected override IReadOnlyList<string> Mechanisms => [ProxyMechanism];

    public override IReadOnlyList<FaultParameter> Parameters { get; } = With(
        FaultParameter.Integer("timeout_ms", "Milliseconds until the connection is closed; 0 = hold data until the fault ends.", 0, 0, 3_600_000),
        Mechanism("proxy"), DependencyParameter, StreamParameter("downstream"), ToxicityParameter);

    protected override ToxicDefinition? ToxicFor(FaultContext context, ToxicStream stream) =>
        Toxic(context, "timeout", stream, ("timeout", context.Parameters.GetInteger("timeout_ms")));
}

/// <summary><c>data_limit</c>: connections closed after a number of bytes (the proxy's limit_data toxic).</summary>
internal sealed class DataLimitInjector(ProxyCollection proxies) : NetworkFaultInjector(proxies)
{
    public override string Name => "data_limit";

    public override string Description => "Closes each proxied connection once it has carried the given number of bytes.";

    protected override IReadOnlyList<string> Mechanisms => [ProxyMechanism];

    public override IReadOnlyList<FaultParameter> Parameters { get; } = With(
        FaultParameter.Integer("bytes", "Bytes a connection may carry before it is closed.", 1024, 0, 1L << 40),
        Mechanism("proxy"), DependencyParameter, StreamParameter("downstream"), ToxicityParameter);

    protected override ToxicDefinition? ToxicFor(FaultContext context, ToxicStream stream) =>
        Toxic(context, "limit_data", stream, ("bytes", context.Parameters.GetInteger("bytes")));
}
