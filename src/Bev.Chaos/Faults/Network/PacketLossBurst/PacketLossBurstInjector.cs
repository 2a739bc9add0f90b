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
internal sealed class PacketLossBurstInjector : NetworkFaultInjector
{
    public PacketLossBurstInjector()
        : base(
            [
                FaultParameter.Number(EnterBadPercent, "p: the chance, per packet, that the link turns bad, in percent.", DefaultEnterBadPercent, MinTransitionPercent, MaxPercent),
                FaultParameter.Number(LeaveBadPercent, "r: the chance, per packet, that a bad link turns good again, in percent (1/r: the mean burst length).", DefaultLeaveBadPercent, MinTransitionPercent, MaxPercent),
                FaultParameter.Number(LossInBadPercent, "1-h: the share of packets a bad link loses, in percent.", DefaultLossInBadPercent, 0, MaxPercent),
                FaultParameter.Number(LossInGoodPercent, "1-k: the share of packets a good link loses, in percent.", DefaultLossInGoodPercent, 0, MaxPercent),
            ],
            new TrafficControlMechanism(QdiscFor)) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { [EnterBadPercent] = 1.0, [LeaveBadPercent] = 50.0 },
            new Dictionary<string, object> { [EnterBadPercent] = 5.0, [LeaveBadPercent] = 30.0 },
            new Dictionary<string, object> { [EnterBadPercent] = 10.0, [LeaveBadPercent] = 10.0 });

    public override string Name => PacketLossBurstConstants.Name;

    public override string Description => "Drops the target's packets in bursts (tc netem's Gilbert–Elliott loss model; needs sch_netem in the kernel).";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    private static (string, IReadOnlyList<string>) QdiscFor(FaultContext context)
    {
        string Percent(string name) => context.Parameters.GetNumber(name).ToString(CultureInfo.InvariantCulture) + "%";
        return ("netem", ["loss", "gemodel", Percent(EnterBadPercent), Percent(LeaveBadPercent), Percent(LossInBadPercent), Percent(LossInGoodPercent)]);
    }
}
