using Bev.Chaos.Faults.Network.Kernel;
using static Bev.Chaos.Faults.Network.PacketDuplicate.PacketDuplicateConstants;

namespace Bev.Chaos.Faults.Network.PacketDuplicate;

/// <summary><c>packet_duplicate</c>: tc netem duplicate in the kernel, where it exists.</summary>
internal sealed class PacketDuplicateInjector() : NetemFaultInjector<PacketDuplicateOptions>(NetemWord)
{
    public override string Name => PacketDuplicateConstants.Name;

    public override string Description => "Duplicates a share of the target's packets with tc netem (needs sch_netem in the kernel).";
}
