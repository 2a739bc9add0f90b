using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Compute.CpuThrottle.CpuThrottleConstants;

namespace Bev.Chaos.Faults.Compute.CpuThrottle;

/// <summary>The options of <c>cpu_throttle</c>.</summary>
internal sealed record CpuThrottleOptions
{
    /// <summary>CPU allowed, in percent of one core.</summary>
    [FaultOption(CpuPercent, "CPU allowed, in percent of one core (200 = two cores).", Min = 1, Max = 100 * 1024)]
    public double CpuPercentOfOneCore { get; init; } = 20;
}
