using Bev.Chaos.Configuration;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Safety;

/// <summary>
/// Checks an experiment against the safety thresholds each monitoring interval: host CPU and
/// memory, the targets' error rate and response time from the experiment's recent probes, the
/// share of unhealthy targets (<c>global.emergency_stop_threshold</c>), and what the external
/// health monitor reports when one is configured. One monitor serves one experiment: it counts the
/// health monitor's consecutive failed reads for <see cref="HealthMonitorUnreachablePolicy"/>.
/// </summary>
/// <param name="settings">The thresholds.</param>
/// <param name="timeProvider">Stamps the breaches.</param>
/// <param name="emergencyStopThreshold">Share (0–1) of unhealthy targets that calls for an emergency stop.</param>
/// <param name="healthMonitor">The external health monitor, when one is configured.</param>
/// <param name="unreachable">What failed reads of the health monitor mean; default <see cref="HealthMonitorUnreachablePolicy.Default"/>.</param>
public sealed class SafetyMonitor(SafetySettings settings, TimeProvider timeProvider, double emergencyStopThreshold = 1.0, HealthMonitorClient? healthMonitor = null, HealthMonitorUnreachablePolicy? unreachable = null)
{
    private readonly HostMetrics _host = new();
    private readonly HealthMonitorUnreachablePolicy _unreachable = unreachable ?? HealthMonitorUnreachablePolicy.Default;
    private int _failedReads;

    /// <summary>The name of the breach an unreachable health monitor makes.</summary>
    public const string HealthMonitorUnreachable = "health_monitor_url unreachable";

    /// <summary>The name of the breach that calls for an emergency stop, not only an abort.</summary>
    public const string EmergencyStopThreshold = "emergency_stop_threshold";

    /// <summary>The first threshold crossed (the health monitor's values included), or null.</summary>
    public async Task<SafetyBreach?> CheckAsync(IReadOnlyList<ProbeResult> recentProbes, CancellationToken cancellationToken)
    {
        if (Check(recentProbes) is { } local)
        {
            return local;
        }

        if (healthMonitor is null)
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        IReadOnlyDictionary<string, double> reported;
        try
        {
            reported = await healthMonitor.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Flying blind is itself unsafe, but one lost read is not blindness: the policy says
            // how many failed reads in a row make a breach.
            var failed = ++_failedReads;
            return _unreachable.BreachAfter > 0 && failed >= _unreachable.BreachAfter
                ? new SafetyBreach(HealthMonitorUnreachable, failed, _unreachable.BreachAfter - 1, now)
                : null;
        }

        _failedReads = 0;

        // The monitor reports error_rate as a fraction (0–1); max_error_rate is percent.
        foreach (var (name, limit, scale) in new[] { ("cpu_usage", settings.MaxCpuUsage, 1.0), ("memory_usage", settings.MaxMemoryUsage, 1.0), ("error_rate", settings.MaxErrorRate, 100.0), ("response_time_ms", settings.MaxResponseTime.TotalMilliseconds, 1.0) })
        {
            if (reported.TryGetValue(name, out var value) && value * scale > limit)
            {
                return new SafetyBreach($"health monitor {name} (max_{(name == "response_time_ms" ? "response_time" : name)})", value * scale, limit, now);
            }
        }

        return null;
    }

    /// <summary>The first local threshold crossed, or null.</summary>
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
            var errorRate = 100.0 * recentProbes.Count(p => !p.Success) / recentProbes.Count;
            if (errorRate > settings.MaxErrorRate)
            {
                return new SafetyBreach("max_error_rate", errorRate, settings.MaxErrorRate, now);
            }

            // Each probe stands for a target: the share whose latest result failed. A share needs
            // several targets to mean anything: with one, its outage is what the experiment causes.
            var latest = recentProbes.GroupBy(p => p.Probe).Select(g => g.OrderBy(p => p.Time).Last()).ToList();
            var unhealthy = latest.Count(p => !p.Success) / (double)latest.Count;
            if (latest.Count >= 2 && unhealthy > emergencyStopThreshold)
            {
                return new SafetyBreach(EmergencyStopThreshold, unhealthy, emergencyStopThreshold, now);
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
