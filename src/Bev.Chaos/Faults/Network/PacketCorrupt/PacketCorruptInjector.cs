using Bev.Chaos.Faults.Network.Kernel;
using static Bev.Chaos.Faults.Network.PacketCorrupt.PacketCorruptConstants;

namespace Bev.Chaos.Faults.Network.PacketCorrupt;

/// <summary><c>packet_corrupt</c>: tc netem corrupt in the kernel, where it exists.</summary>
internal sealed class PacketCorruptInjector() : NetemFaultInjector<PacketCorruptOptions>(NetemWord)
{
    public override string Name => PacketCorruptConstants.Name;

    public override string Description => "Corrupts a share of the target's packets with tc netem (needs sch_netem in the kernel).";
}
