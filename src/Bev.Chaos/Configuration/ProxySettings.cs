using System.Net;

namespace Bev.Chaos.Configuration;

/// <summary><c>proxy:</c> the limits of the proxies callers create through the Toxiproxy-compatible API.</summary>
public sealed record ProxySettings
{
    /// <summary><c>proxy.allowed_listen_addresses</c>: non-loopback IP addresses a proxy may listen on (<c>0.0.0.0</c> or <c>::</c>: the wildcard); default none, loopback only.</summary>
    public IReadOnlyList<IPAddress> AllowedListenAddresses { get; init; } = [];

    /// <summary><c>proxy.max_proxies</c>: at most this many proxies at once (1–100000, default 1000).</summary>
    public int MaxProxies { get; init; } = 1000;
}
