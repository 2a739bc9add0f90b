using Bev.Chaos.Faults.Network.Kernel;
using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.NetworkPartition.NetworkPartitionConstants;

namespace Bev.Chaos.Faults.Network.NetworkPartition;

/// <summary><c>network_partition</c>: no traffic — proxies disabled, or nftables drop/reject in the kernel.</summary>
internal sealed class NetworkPartitionInjector(ProxyCollection proxies) : NetworkFaultInjector<NetworkPartitionOptions>(
    new ProxyDisableMechanism(proxies),
    new NftablesMechanism(context => (100, OptionsOf(context).Verdict)))
{
    public override string Name => NetworkPartitionConstants.Name;

    public override string Description => "Cuts the target off: its proxies disabled (listener closed, connections cut), or nftables drop/reject in its network namespace.";
}
