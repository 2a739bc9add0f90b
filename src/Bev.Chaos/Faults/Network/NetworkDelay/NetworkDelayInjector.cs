using Bev.Chaos.Faults.Network.Kernel;
using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.NetworkDelay.NetworkDelayConstants;

namespace Bev.Chaos.Faults.Network.NetworkDelay;

/// <summary><c>network_delay</c>: latency (± jitter) — the proxy's latency toxic, or netem in the kernel.</summary>
internal sealed class NetworkDelayInjector : NetworkFaultInjector
{
    public NetworkDelayInjector(ProxyCollection proxies)
        : base(
            [
                FaultParameter.Integer(DelayMs, "Added latency in milliseconds.", DefaultDelayMs, MinMs, MaxMs, DelayCap),
                FaultParameter.Integer(JitterMs, "Random variation, ± milliseconds.", DefaultJitterMs, MinMs, MaxMs),
            ],
            new ProxyToxicMechanism(proxies, ToxicFor),
            new TrafficControlMechanism(QdiscFor)) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { [DelayMs] = 100L, [JitterMs] = 20L },
            new Dictionary<string, object> { [DelayMs] = 500L, [JitterMs] = 100L },
            new Dictionary<string, object> { [DelayMs] = 2000L, [JitterMs] = 500L });

    public override string Name => NetworkDelayConstants.Name;

    public override string Description => "Adds latency (± jitter) to the target's traffic: the proxy's latency toxic, or tc netem in the kernel.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    private static ToxicDefinition ToxicFor(FaultContext context, ToxicStream stream) =>
        ProxyToxicMechanism.Toxic(context, "latency", stream, ("latency", context.Parameters.GetInteger(DelayMs)), ("jitter", context.Parameters.GetInteger(JitterMs)));

    private static (string, IReadOnlyList<string>) QdiscFor(FaultContext context) =>
        ("netem", ["delay", $"{context.Parameters.GetInteger(DelayMs)}ms", $"{context.Parameters.GetInteger(JitterMs)}ms"]);
}
