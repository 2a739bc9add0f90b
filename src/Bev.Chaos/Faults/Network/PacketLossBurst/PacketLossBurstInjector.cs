using System.Globalization;
using Bev.Chaos.Faults.Network.Kernel;
using static Bev.Chaos.Faults.Network.PacketLossBurst.PacketLossBurstConstants;

namespace Bev.Chaos.Faults.Network.PacketLossBurst;

/// <summary>
/// <c>packet_loss_burst</c>: loss in bursts, as real links lose packets — the Gilbert–Elliott model
/// of tc netem (<c>loss gemodel p r 1-h 1-k</c>) in the kernel, where it has sch_netem. The link
/// moves between a good and a bad state; each state loses its own share of packets. The long-run
/// loss is <c>p/(p+r) × (1-h) + r/(p+r) × (1-k)</c>; the mean burst lasts <c>1/r</c> packets.
/// </summary>
internal sealed class PacketLossBurstInjector : NetworkFaultInjector<PacketLossBurstOptions>
{
    public PacketLossBurstInjector()
        : base(new TrafficControlMechanism(QdiscFor)) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { [EnterBadPercent] = 1.0, [LeaveBadPercent] = 50.0 },
            new Dictionary<string, object> { [EnterBadPercent] = 5.0, [LeaveBadPercent] = 30.0 },
            new Dictionary<string, object> { [EnterBadPercent] = 10.0, [LeaveBadPercent] = 10.0 });

    public override string Name => PacketLossBurstConstants.Name;

    public override string Description => "Drops the target's packets in bursts (tc netem's Gilbert–Elliott loss model; needs sch_netem in the kernel).";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    private static (string, IReadOnlyList<string>) QdiscFor(FaultContext context)
    {
        var options = OptionsOf(context);
        static string Percent(double value) => value.ToString(CultureInfo.InvariantCulture) + "%";
        return ("netem", ["loss", "gemodel", Percent(options.EnterBad), Percent(options.LeaveBad), Percent(options.LossInBad), Percent(options.LossInGood)]);
    }
}
