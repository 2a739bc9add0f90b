using Bev.Chaos.Configuration;
using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>Starts the fault proxies the catalog declares, so targets' traffic flows through them from the start.</summary>
internal static class CatalogProxies
{
    /// <summary>Creates and starts every catalog proxy not already in <paramref name="proxies"/>; returns their names.</summary>
    public static IReadOnlyList<string> StartAll(ChaosConfiguration configuration, ProxyCollection proxies)
    {
        var started = new List<string>();
        foreach (var target in configuration.Targets.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (var (dependency, route) in target.Proxies.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var name = ProxyMechanism.ProxyName(target.Name, dependency);
                if (!proxies.TryGet(name, out _))
                {
                    proxies.Create(name, route.Listen, route.Upstream, protocol: ProxyProtocols.Parse(route.Protocol));
                    started.Add(name);
                }
            }
        }

        return started;
    }
}
