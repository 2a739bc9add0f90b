namespace Bev.Chaos.Faults.Network.PacketCorrupt;

internal static class PacketCorruptConstants
{
    public const string Name = "packet_corrupt";
    public const string NetemWord = "corrupt";
}
