namespace Bev.Chaos.Faults.Compute.CpuThrottle;

internal static class CpuThrottleConstants
{
    public const string Name = "cpu_throttle";
    public const string CpuPercent = "cpu_percent";
    public const long PeriodMicroseconds = 100_000;
}
