using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.PostgresDelay.PostgresDelayConstants;

namespace Bev.Chaos.Faults.Network.PostgresDelay;

/// <summary><c>postgres_delay</c>: matching queries to a target's PostgreSQL dependency reach it late.</summary>
internal sealed class PostgresDelayInjector : ProtocolToxicFaultInjector<PostgresDelayOptions>
{
    public PostgresDelayInjector(ProxyCollection proxies)
        : base(proxies, ProxyProtocol.Postgres, ToxicType) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { ["delay_ms"] = 100L },
            new Dictionary<string, object> { ["delay_ms"] = 500L },
            new Dictionary<string, object> { ["delay_ms"] = 2000L });

    public override string Name => PostgresDelayConstants.Name;

    public override string Description => "Holds a share of a target's matching PostgreSQL queries (simple or extended protocol) before they reach the server.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }
}
