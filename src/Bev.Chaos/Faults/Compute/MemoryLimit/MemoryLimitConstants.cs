namespace Bev.Chaos.Faults.Compute.MemoryLimit;

internal static class MemoryLimitConstants
{
    public const string Name = "memory_limit";
    public const string LimitMb = "limit_mb";
}
