using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Network.PacketReorder.PacketReorderConstants;

namespace Bev.Chaos.Faults.Network.PacketReorder;

/// <summary>The options of <c>packet_reorder</c>.</summary>
internal sealed record PacketReorderOptions
{
    /// <summary>Share of packets sent at once, ahead of the delayed rest, in percent.</summary>
    [FaultOption(Percent, "Share of packets sent at once, ahead of the delayed rest, in percent.", Min = MinPercent, Max = MaxPercent)]
    public double ReorderedPercent { get; init; } = DefaultPercent;

    /// <summary>How long the other packets wait, in milliseconds.</summary>
    [FaultOption(DelayMs, "How long the other packets wait, in milliseconds (netem reorders only against a delay).", Min = MinDelayMs, Max = MaxDelayMs)]
    public long DelayMilliseconds { get; init; } = DefaultDelayMs;

    /// <summary>How much each packet's draw follows the previous one's, in percent.</summary>
    [FaultOption(CorrelationPercent, "How much each packet's draw follows the previous one's, in percent (0: independent).", Min = 0, Max = 100)]
    public double Correlation { get; init; }
}
