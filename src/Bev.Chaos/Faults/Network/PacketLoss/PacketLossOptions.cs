using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Network.PacketLoss.PacketLossConstants;

namespace Bev.Chaos.Faults.Network.PacketLoss;

/// <summary>The options of <c>packet_loss</c>.</summary>
internal sealed record PacketLossOptions
{
    /// <summary>Share of matching packets dropped, in percent.</summary>
    [FaultOption(LossPercent, "Share of matching packets dropped, in percent.", Min = MinLossPercent, Max = MaxLossPercent, CapKey = LossCap)]
    public int DroppedPercent { get; init; } = (int)DefaultLossPercent;
}
