using System.Net;

namespace Bev.Chaos.Proxy.Api;

/// <summary>
/// The limits and access policy of a Toxiproxy-compatible API: who may call it, how many proxies it
/// may create, and on which addresses their listeners may bind (loopback always; others only when
/// listed, e.g. from <c>proxy.allowed_listen_addresses</c>).
/// </summary>
public sealed class ToxiproxyApiOptions
{
    /// <summary>The default cap on the number of proxies.</summary>
    public const int DefaultMaxProxies = 1000;

    /// <summary>Who may call the API and where its mutating calls are audited; default: open (loopback only).</summary>
    public ListenerPolicy Access { get; init; } = ListenerPolicy.Open;

    /// <summary>At most this many proxies exist at once (default 1000); a create beyond it is a 400.</summary>
    public int MaxProxies { get; init; } = DefaultMaxProxies;

    /// <summary>Non-loopback addresses a proxy may <c>listen</c> on (exactly these; <c>0.0.0.0</c> or <c>::</c> allow the wildcard); default: none.</summary>
    public IReadOnlyCollection<IPAddress> AllowedListenAddresses { get; init; } = [];

    /// <summary>True when a proxy may listen on <paramref name="address"/>.</summary>
    public bool MayListenOn(IPAddress address) => IPAddress.IsLoopback(address) || AllowedListenAddresses.Contains(address);
}
