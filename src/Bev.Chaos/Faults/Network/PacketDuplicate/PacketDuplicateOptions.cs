using Bev.Chaos.Faults.Network.Kernel;

namespace Bev.Chaos.Faults.Network.PacketDuplicate;

/// <summary>The options of <c>packet_duplicate</c>: the share of packets netem duplicates.</summary>
internal sealed record PacketDuplicateOptions : NetemShareOptions;
