using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Safety;

/// <summary>
/// Checks an experiment against the safety thresholds each monitoring interval: host CPU and
/// memory, and the targets' error rate and response time from the experiment's recent probes.
/// </summary>
public sealed class SafetyMonitor(SafetySettings settings, TimeProvider timeProvider)
{
    private readonly HostMetrics _host = new();

    /// <summary>The first threshold crossed, or null.</summary>
    public SafetyBreach? Check(IReadOnlyList<ProbeResult> recentProbes)
    {
        var now = timeProvider.GetUtcNow();
        var cpu = _host.CpuPercent();
        if (cpu > settings.MaxCpuUsage)
        {
            return new SafetyBreach("max_cpu_usage", cpu, settings.MaxCpuUsage, now);
        }

        var memory = HostMetrics.MemoryPercent();
        if (memory > settings.MaxMemoryUsage)
        {
            return new SafetyBreach("max_memory_usage", memory, settings.MaxMemoryUsage, now);
        }

        if (recentProbes.Count > 0)
        {
            var errorRate = recentProbes.Count(p => !p.Success) / (double)recentProbes.Count;
            if (errorRate > settings.MaxErrorRate)
            {
                return new SafetyBreach("max_error_rate", errorRate, settings.MaxErrorRate, now);
            }

            var slowest = recentProbes.Where(p => p.Success).Select(p => p.Latency.TotalMilliseconds).DefaultIfEmpty(0).Max();
            if (slowest > settings.MaxResponseTime.TotalMilliseconds)
            {
                return new SafetyBreach("max_response_time", slowest, settings.MaxResponseTime.TotalMilliseconds, now);
            }
        }

        return null;
    }
}
