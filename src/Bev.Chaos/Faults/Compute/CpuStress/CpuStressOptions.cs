using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Compute.CpuStress.CpuStressConstants;

namespace Bev.Chaos.Faults.Compute.CpuStress;

/// <summary>The options of <c>cpu_stress</c>.</summary>
internal sealed record CpuStressOptions
{
    /// <summary>Busy threads.</summary>
    [FaultOption(Workers, "Busy threads.", Min = 1, Max = 256)]
    public long WorkerThreads { get; init; } = DefaultWorkers;

    /// <summary>Share of each worker's time spent busy, in percent.</summary>
    [FaultOption(LoadPercent, "Share of each worker's time spent busy, in percent.", Min = 1, Max = 100, CapKey = LoadCap)]
    public double BusyPercent { get; init; } = DefaultLoadPercent;
}
