using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.RedisDelay.RedisDelayConstants;

namespace Bev.Chaos.Faults.Network.RedisDelay;

/// <summary><c>redis_delay</c>: matching commands to a target's Redis dependency reach it late.</summary>
internal sealed class RedisDelayInjector : ProtocolToxicFaultInjector<RedisDelayOptions>
{
    public RedisDelayInjector(ProxyCollection proxies)
        : base(proxies, ProxyProtocol.Redis, ToxicType) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { ["delay_ms"] = 50L },
            new Dictionary<string, object> { ["delay_ms"] = 250L },
            new Dictionary<string, object> { ["delay_ms"] = 1000L });

    public override string Name => RedisDelayConstants.Name;

    public override string Description => "Holds a share of a target's matching Redis commands before they reach Redis.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }
}
