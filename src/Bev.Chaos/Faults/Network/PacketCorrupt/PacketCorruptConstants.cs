namespace Bev.Chaos.Faults.Network.PacketCorrupt;

internal static class PacketCorruptConstants
{
    public const string Name = "packet_corrupt";
    public const string Percent = "percent";
    public const string NetemWord = "corrupt";
    public const double DefaultPercent = 5;
    public const double MinPercent = 0.01;
    public const double MaxPercent = 100;
}
