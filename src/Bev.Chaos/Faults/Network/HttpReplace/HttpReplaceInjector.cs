using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.HttpReplace.HttpReplaceConstants;

namespace Bev.Chaos.Faults.Network.HttpReplace;

/// <summary><c>http_replace</c>: the dependency's responses to matching requests come back changed (status, body, or a JSON merge).</summary>
internal sealed class HttpReplaceInjector : ProtocolToxicFaultInjector<HttpReplaceOptions>
{
    public HttpReplaceInjector(ProxyCollection proxies)
        : base(proxies, ProxyProtocol.Http, ToxicType) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { ["status"] = 500L, [NetworkParameters.Toxicity] = 0.1 },
            new Dictionary<string, object> { ["status"] = 500L, [NetworkParameters.Toxicity] = 0.3 },
            new Dictionary<string, object> { ["status"] = 500L, [NetworkParameters.Toxicity] = 0.8 });

    public override string Name => HttpReplaceConstants.Name;

    public override string Description => "Changes the status, body or JSON of a dependency's responses to a share of a target's matching HTTP requests.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }
}
