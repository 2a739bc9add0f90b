namespace Bev.Chaos.Faults;

/// <summary>What a fault acts on.</summary>
public enum FaultCategory
{
    /// <summary>The traffic to and from the target: delay, loss, partitions, bandwidth, protocol errors.</summary>
    Network,
    /// <summary>The target's CPU and memory: stress, throttling, leaks, limits.</summary>
    Compute,
    /// <summary>The target's disk: filling it, delaying its I/O.</summary>
    Storage,
    /// <summary>The service itself: crashing, stopping, pausing or restarting it, exhausting its connections.</summary>
    Application,
}
