using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Compute.MemoryLimit.MemoryLimitConstants;

namespace Bev.Chaos.Faults.Compute.MemoryLimit;

/// <summary>The options of <c>memory_limit</c>.</summary>
internal sealed record MemoryLimitOptions
{
    /// <summary>The memory limit in MiB.</summary>
    [FaultOption(LimitMb, "The memory limit in MiB.", Min = 4, Max = 1024 * 1024)]
    public long LimitMiB { get; init; } = 256;
}
