using System.Globalization;

namespace Bev.Chaos.Faults.Network.Kernel;

/// <summary>
/// The base of the faults that are one netem word and a share of packets
/// (<c>tc qdisc add … netem duplicate 5%</c>): in the kernel only, where it has sch_netem.
/// </summary>
/// <typeparam name="TOptions">The fault type's options: a share of packets.</typeparam>
internal abstract class NetemFaultInjector<TOptions>(string netemWord) : NetworkFaultInjector<TOptions>(
    new TrafficControlMechanism(context => ("netem", [netemWord, OptionsOf(context).Percent.ToString(CultureInfo.InvariantCulture) + "%"])))
    where TOptions : NetemShareOptions, new();
