using System.Globalization;
using Bev.Chaos.Faults.Network.Kernel;
using static Bev.Chaos.Faults.Network.PacketReorder.PacketReorderConstants;

namespace Bev.Chaos.Faults.Network.PacketReorder;

/// <summary>
/// <c>packet_reorder</c>: tc netem <c>delay D reorder P% [C%]</c> in the kernel, where it has
/// sch_netem — a share of the packets goes at once while the rest wait <c>delay_ms</c>, so packets
/// sent later overtake packets sent earlier.
/// </summary>
internal sealed class PacketReorderInjector : NetworkFaultInjector<PacketReorderOptions>
{
    public PacketReorderInjector()
        : base(new TrafficControlMechanism(QdiscFor)) =>
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
        var options = OptionsOf(context);
        var correlation = options.Correlation;
        IReadOnlyList<string> words = ["delay", $"{options.DelayMilliseconds}ms", "reorder", options.ReorderedPercent.ToString(c) + "%"];
        return ("netem", correlation > 0 ? [.. words, correlation.ToString(c) + "%"] : words);
    }
}
