using Bev.Chaos.Faults.Network.Kernel;

namespace Bev.Chaos.Faults.Network.PacketCorrupt;

/// <summary>The options of <c>packet_corrupt</c>: the share of packets netem corrupts.</summary>
internal sealed record PacketCorruptOptions : NetemShareOptions;
