namespace Bev.Chaos.Faults.Network.PacketDuplicate;

internal static class PacketDuplicateConstants
{
    public const string Name = "packet_duplicate";
    public const string NetemWord = "duplicate";
}
