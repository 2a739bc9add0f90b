namespace Bev.Chaos.Faults.Compute.MemoryLeak;

internal static class MemoryLeakConstants
{
    public const string Name = "memory_leak";
    public const string RateMbPerSecond = "rate_mb_per_s";
    public const string MaxMb = "max_mb";
    public const string MaxMbCap = "max_memory_mb";
}
