using Bev.Chaos.Faults.Network.Kernel;
using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.NetworkBandwidth.NetworkBandwidthConstants;

namespace Bev.Chaos.Faults.Network.NetworkBandwidth;

/// <summary><c>network_bandwidth</c>: a rate limit — the proxy's bandwidth toxic, or tc tbf in the kernel.</summary>
internal sealed class NetworkBandwidthInjector : NetworkFaultInjector<NetworkBandwidthOptions>
{
    public NetworkBandwidthInjector(ProxyCollection proxies)
        : base(
            new ProxyToxicMechanism(proxies, ToxicFor),
            new TrafficControlMechanism(QdiscFor)) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { [RateKbps] = 10_000L },
            new Dictionary<string, object> { [RateKbps] = 1000L },
            new Dictionary<string, object> { [RateKbps] = 64L });

    public override string Name => NetworkBandwidthConstants.Name;

    public override string Description => "Limits the target's throughput: the proxy's bandwidth toxic, or a tc tbf qdisc in the kernel.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    // Toxiproxy counts KB/s of 1000 bytes.
    private static ToxicDefinition ToxicFor(FaultContext context, ToxicStream stream) =>
        ProxyToxicMechanism.Toxic(context, "bandwidth", stream, ("rate", Math.Max(1, OptionsOf(context).KilobitsPerSecond / 8)));

    private static (string, IReadOnlyList<string>) QdiscFor(FaultContext context)
    {
        var kbit = OptionsOf(context).KilobitsPerSecond;
        var burst = Math.Max(16, kbit / 8 / 10);
        return ("tbf", ["rate", $"{kbit}kbit", "burst", $"{burst}kb", "latency", "400ms"]);
    }
}
