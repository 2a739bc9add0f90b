using System.Globalization;
using Bev.Chaos.Faults.Network.Kernel;
using static Bev.Chaos.Faults.Network.PacketReorder.PacketReorderConstants;

namespace Bev.Chaos.Faults.Network.PacketReorder;

/// <summary>
/// <c>packet_reorder</c>: tc netem <c>delay D reorder P% [C%]</c> in the kernel, where it has
/// sch_netem — a share of the packets goes at once while the rest wait <c>delay_ms</c>, so packets
/// sent later overtake packets sent earlier.
/// </summary>
internal sealed class PacketReorderInjector : NetworkFaultInjector
{
    public PacketReorderInjector()
        : base(
            [
                FaultParameter.Number(Percent, "Share of packets sent at once, ahead of the delayed rest, in percent.", DefaultPercent, MinPercent, MaxPercent),
                FaultParameter.Integer(DelayMs, "How long the other packets wait, in milliseconds (netem reorders only against a delay).", DefaultDelayMs, MinDelayMs, MaxDelayMs),
                FaultParameter.Number(CorrelationPercent, "How much each packet's draw follows the previous one's, in percent (0: independent).", 0, 0, 100),
            ],
            new TrafficControlMechanism(QdiscFor)) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { [Percent] = 10.0, [DelayMs] = 10L },
            new Dictionary<string, object> { [Percent] = 25.0, [DelayMs] = 20L },
            new Dictionary<string, object> { [Percent] = 50.0, [DelayMs] = 50L });

    public override string Name => PacketReorderConstants.Name;

    public override string Description => "Reorders a share of the target's packets with tc netem (delay + reorder; needs sch_netem in the kernel).";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    private static (string, IReadOnlyList<string>) QdiscFor(FaultContext context)
    {
        var c = CultureInfo.InvariantCulture;
        var correlation = context.Parameters.GetNumber(CorrelationPercent);
        IReadOnlyList<string> words = ["delay", $"{context.Parameters.GetInteger(DelayMs)}ms", "reorder", context.Parameters.GetNumber(Percent).ToString(c) + "%"];
        return ("netem", correlation > 0 ? [.. words, correlation.ToString(c) + "%"] : words);
    }
}
