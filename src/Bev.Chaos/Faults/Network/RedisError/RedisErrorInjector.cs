using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.RedisError.RedisErrorConstants;

namespace Bev.Chaos.Faults.Network.RedisError;

/// <summary><c>redis_error</c>: matching commands to a target's Redis dependency are answered with an error line (LOADING, OOM, READONLY, …) instead of reaching Redis.</summary>
internal sealed class RedisErrorInjector : ProtocolToxicFaultInjector<RedisErrorOptions>
{
    public RedisErrorInjector(ProxyCollection proxies)
        : base(proxies, ProxyProtocol.Redis, ToxicType) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { [NetworkParameters.Toxicity] = 0.1 },
            new Dictionary<string, object> { [NetworkParameters.Toxicity] = 0.3 },
            new Dictionary<string, object> { [NetworkParameters.Toxicity] = 0.8 });

    public override string Name => RedisErrorConstants.Name;

    public override string Description => "Answers a share of a target's matching Redis commands with an error (LOADING by default) without reaching Redis; MULTI/EXEC behave as Redis would.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }
}
