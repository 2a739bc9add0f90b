using Bev.Chaos.Faults.Network.Kernel;
using static Bev.Chaos.Faults.Network.PacketLoss.PacketLossConstants;

namespace Bev.Chaos.Faults.Network.PacketLoss;

/// <summary><c>packet_loss</c>: a share of packets dropped by nftables (<c>numgen random</c>).</summary>
internal sealed class PacketLossInjector : NetworkFaultInjector<PacketLossOptions>
{
    public PacketLossInjector()
        : base(new NftablesMechanism(context => (OptionsOf(context).DroppedPercent, "drop"))) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { [LossPercent] = 5L },
            new Dictionary<string, object> { [LossPercent] = 20L },
            new Dictionary<string, object> { [LossPercent] = 50L });

    public override string Name => PacketLossConstants.Name;

    public override string Description => "Drops a share of the target's packets in the kernel (nftables numgen random), filtered by address, port and protocol.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }
}
