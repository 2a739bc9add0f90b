using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.PostgresError.PostgresErrorConstants;

namespace Bev.Chaos.Faults.Network.PostgresError;

/// <summary><c>postgres_error</c>: matching queries to a target's PostgreSQL dependency fail with an ErrorResponse of a chosen SQLSTATE, the session left as after a real error.</summary>
internal sealed class PostgresErrorInjector : ProtocolToxicFaultInjector<PostgresErrorOptions>
{
    public PostgresErrorInjector(ProxyCollection proxies)
        : base(proxies, ProxyProtocol.Postgres, ToxicType) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { [NetworkParameters.Toxicity] = 0.1 },
            new Dictionary<string, object> { [NetworkParameters.Toxicity] = 0.3 },
            new Dictionary<string, object> { [NetworkParameters.Toxicity] = 0.8 });

    public override string Name => PostgresErrorConstants.Name;

    public override string Description => "Fails a share of a target's matching PostgreSQL queries with an error of a chosen SQLSTATE (40001 by default), as the server itself would.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }
}
