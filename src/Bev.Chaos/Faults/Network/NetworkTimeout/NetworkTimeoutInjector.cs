using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.NetworkTimeout.NetworkTimeoutConstants;

namespace Bev.Chaos.Faults.Network.NetworkTimeout;

/// <summary><c>network_timeout</c>: data held, connection closed after a time (the proxy's timeout toxic).</summary>
internal sealed class NetworkTimeoutInjector(ProxyCollection proxies) : ProxyToxicFaultInjector<NetworkTimeoutOptions>(proxies, ToxicType, ToxicAttribute, options => options.CloseAfterMilliseconds)
{
    public override string Name => NetworkTimeoutConstants.Name;

    public override string Description => "Stops data on the target's proxied connections and closes them after timeout_ms (0: hold until removed).";
}
