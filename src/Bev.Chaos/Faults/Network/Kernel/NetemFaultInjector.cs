using System.Globalization;

namespace Bev.Chaos.Faults.Network.Kernel;

/// <summary>
/// The base of the faults that are one netem word and a share of packets
/// (<c>tc qdisc add … netem duplicate 5%</c>): in the kernel only, where it has sch_netem.
/// </summary>
internal abstract class NetemFaultInjector(FaultParameter percent, string netemWord) : NetworkFaultInjector(
    [percent],
    new TrafficControlMechanism(context => ("netem", [netemWord, context.Parameters.GetNumber(percent.Name).ToString(CultureInfo.InvariantCulture) + "%"])));
