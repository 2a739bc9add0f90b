namespace Bev.Chaos.Faults.Network.PacketDuplicate;

internal static class PacketDuplicateConstants
{
    public const string Name = "packet_duplicate";
    public const string Percent = "percent";
    public const string NetemWord = "duplicate";
    public const double DefaultPercent = 5;
    public const double MinPercent = 0.01;
    public const double MaxPercent = 100;
}
