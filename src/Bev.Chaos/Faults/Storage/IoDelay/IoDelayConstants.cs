namespace Bev.Chaos.Faults.Storage.IoDelay;

internal static class IoDelayConstants
{
    public const string Name = "io_delay";
    public const string PathParameter = "path";
    public const string ReadBps = "read_bps";
    public const string WriteBps = "write_bps";
    public const string ReadIops = "read_iops";
    public const string WriteIops = "write_iops";
}
