using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Network.NetworkDelay.NetworkDelayConstants;

namespace Bev.Chaos.Faults.Network.NetworkDelay;

/// <summary>The options of <c>network_delay</c>; the jitter's correlation and distribution are the kernel's alone.</summary>
internal sealed record NetworkDelayOptions
{
    /// <summary>Added latency in milliseconds.</summary>
    [FaultOption(DelayMs, "Added latency in milliseconds.", Min = MinMs, Max = MaxMs, CapKey = DelayCap)]
    public long DelayMilliseconds { get; init; } = DefaultDelayMs;

    /// <summary>Random variation, ± milliseconds.</summary>
    [FaultOption(JitterMs, "Random variation, ± milliseconds.", Min = MinMs, Max = MaxMs)]
    public long JitterMilliseconds { get; init; } = DefaultJitterMs;

    /// <summary>How much each packet's jitter follows the previous one's, in percent.</summary>
    [FaultOption(CorrelationPercent, "Kernel only: how much each packet's jitter follows the previous one's, in percent (needs jitter_ms).", Min = 0, Max = 100)]
    public double Correlation { get; init; }

    /// <summary>How the jitter is drawn (netem's tables).</summary>
    [FaultOption(Distribution, "Kernel only: how the jitter is drawn (netem's tables; needs jitter_ms).", AllowedValues = [Uniform, "normal", "pareto", "paretonormal"])]
    public string JitterDistribution { get; init; } = Uniform;
}
