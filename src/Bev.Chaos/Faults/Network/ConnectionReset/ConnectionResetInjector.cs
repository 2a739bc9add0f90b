using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.ConnectionReset.ConnectionResetConstants;

namespace Bev.Chaos.Faults.Network.ConnectionReset;

/// <summary><c>connection_reset</c>: TCP RST after a time (the proxy's reset_peer toxic).</summary>
internal sealed class ConnectionResetInjector(ProxyCollection proxies) : ProxyToxicFaultInjector<ConnectionResetOptions>(proxies, ToxicType, ToxicAttribute, options => options.AfterMilliseconds)
{
    public override string Name => ConnectionResetConstants.Name;

    public override string Description => "Resets the target's proxied connections (TCP RST) after timeout_ms.";
}
