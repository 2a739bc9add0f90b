using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.HttpDelay.HttpDelayConstants;

namespace Bev.Chaos.Faults.Network.HttpDelay;

/// <summary><c>http_delay</c>: matching requests to a target's HTTP dependency (or their responses) are held.</summary>
internal sealed class HttpDelayInjector : ProtocolToxicFaultInjector<HttpDelayOptions>
{
    public HttpDelayInjector(ProxyCollection proxies)
        : base(proxies, ProxyProtocol.Http, ToxicType) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { ["delay_ms"] = 100L, ["jitter_ms"] = 20L },
            new Dictionary<string, object> { ["delay_ms"] = 500L, ["jitter_ms"] = 100L },
            new Dictionary<string, object> { ["delay_ms"] = 2000L, ["jitter_ms"] = 500L });

    public override string Name => HttpDelayConstants.Name;

    public override string Description => "Holds a share of a target's matching HTTP requests to a dependency (or their responses) for a while.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }
}
