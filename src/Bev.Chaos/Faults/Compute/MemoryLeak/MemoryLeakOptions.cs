using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Compute.MemoryLeak.MemoryLeakConstants;

namespace Bev.Chaos.Faults.Compute.MemoryLeak;

/// <summary>The options of <c>memory_leak</c>.</summary>
internal sealed record MemoryLeakOptions
{
    /// <summary>Growth in MiB per second.</summary>
    [FaultOption(RateMbPerSecond, "Growth in MiB per second.", Min = 0.1, Max = 4096)]
    public double MiBPerSecond { get; init; } = 50;

    /// <summary>Ceiling in MiB.</summary>
    [FaultOption(MaxMb, "Ceiling in MiB.", Min = 1, Max = 1024 * 1024, CapKey = MaxMbCap)]
    public long CeilingMiB { get; init; } = 256;
}
