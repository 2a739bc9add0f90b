namespace Bev.Chaos.Faults.Network.PacketReorder;

internal static class PacketReorderConstants
{
    public const string Name = "packet_reorder";
    public const string Percent = "percent";
    public const string CorrelationPercent = "correlation_percent";
    public const string DelayMs = "delay_ms";
    public const double DefaultPercent = 25;
    public const double MinPercent = 0.01;
    public const double MaxPercent = 100;
    public const long DefaultDelayMs = 20;
    public const long MinDelayMs = 1;
    public const long MaxDelayMs = 10_000;
}
