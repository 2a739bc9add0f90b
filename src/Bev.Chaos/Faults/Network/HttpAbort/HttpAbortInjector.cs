using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.HttpAbort.HttpAbortConstants;

namespace Bev.Chaos.Faults.Network.HttpAbort;

/// <summary><c>http_abort</c>: matching requests to a target's HTTP dependency are answered by the proxy (a status of choice) or reset, never reaching the dependency.</summary>
internal sealed class HttpAbortInjector : ProtocolToxicFaultInjector<HttpAbortOptions>
{
    public HttpAbortInjector(ProxyCollection proxies)
        : base(proxies, ProxyProtocol.Http, ToxicType) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { ["status"] = 503L, [NetworkParameters.Toxicity] = 0.1 },
            new Dictionary<string, object> { ["status"] = 503L, [NetworkParameters.Toxicity] = 0.3 },
            new Dictionary<string, object> { ["status"] = 500L, [NetworkParameters.Toxicity] = 0.8 });

    public override string Name => HttpAbortConstants.Name;

    public override string Description => "Answers a share of a target's matching HTTP requests to a dependency with an error status (or resets them) without reaching the dependency.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }
}
