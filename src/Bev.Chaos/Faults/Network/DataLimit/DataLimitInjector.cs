using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.DataLimit.DataLimitConstants;

namespace Bev.Chaos.Faults.Network.DataLimit;

/// <summary><c>data_limit</c>: connections closed after a number of bytes (the proxy's limit_data toxic).</summary>
internal sealed class DataLimitInjector(ProxyCollection proxies) : ProxyToxicFaultInjector<DataLimitOptions>(proxies, ToxicType, ToxicAttribute, options => options.ByteLimit)
{
    public override string Name => DataLimitConstants.Name;

    public override string Description => "Closes each proxied connection once it has carried the given number of bytes.";
}
