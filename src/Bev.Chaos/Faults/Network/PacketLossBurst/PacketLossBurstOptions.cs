using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Network.PacketLossBurst.PacketLossBurstConstants;

namespace Bev.Chaos.Faults.Network.PacketLossBurst;

/// <summary>The options of <c>packet_loss_burst</c>: netem's Gilbert–Elliott model, in percent.</summary>
internal sealed record PacketLossBurstOptions
{
    /// <summary>p: the chance, per packet, that the link turns bad.</summary>
    [FaultOption(EnterBadPercent, "p: the chance, per packet, that the link turns bad, in percent.", Min = MinTransitionPercent, Max = MaxPercent)]
    public double EnterBad { get; init; } = DefaultEnterBadPercent;

    /// <summary>r: the chance, per packet, that a bad link turns good again.</summary>
    [FaultOption(LeaveBadPercent, "r: the chance, per packet, that a bad link turns good again, in percent (1/r: the mean burst length).", Min = MinTransitionPercent, Max = MaxPercent)]
    public double LeaveBad { get; init; } = DefaultLeaveBadPercent;

    /// <summary>1-h: the share of packets a bad link loses.</summary>
    [FaultOption(LossInBadPercent, "1-h: the share of packets a bad link loses, in percent.", Min = 0, Max = MaxPercent)]
    public double LossInBad { get; init; } = DefaultLossInBadPercent;

    /// <summary>1-k: the share of packets a good link loses.</summary>
    [FaultOption(LossInGoodPercent, "1-k: the share of packets a good link loses, in percent.", Min = 0, Max = MaxPercent)]
    public double LossInGood { get; init; } = DefaultLossInGoodPercent;
}
