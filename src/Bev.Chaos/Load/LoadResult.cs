namespace Bev.Chaos.Load;

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record LatencySummary(double P50, double P90, double P99, double Max);

/// <summary>One finished request: when it was due (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), its corrected latency, whether it failed.</summary>
public readonly record struct LoadSample(long DueTimestamp, double LatencyMs, bool Failed);

/// <summary>One second of a load run.</summary>
public sealed record LoadSecond(int Second, long Requests, long Errors, double P50, double P99);

/// <summary>
/// What a load run did. Latencies are corrected for coordinated omission (measured from when a
/// request was due, not when it could be sent); the uncorrected ones are kept beside them.
/// </summary>
public sealed record LoadResult
{
    /// <summary>Requests that finished, failed ones included; at most <c>rate × duration</c>.</summary>
    public required long Requests { get; init; }

    /// <summary>Of <see cref="Requests"/>, those that failed: an HTTP status of 500 or more, no answer, or a timeout.</summary>
    public required long Errors { get; init; }

    /// <summary>The rate asked for, in requests per second.</summary>
    public required double RequestedRate { get; init; }

    /// <summary>Requests completed per second of the run.</summary>
    public required double AchievedRate { get; init; }

    /// <summary>How long the run took, from the schedule's start until the last request finished.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Corrected latencies: each timed from when its request was due.</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>Latencies timed from when each request was actually sent, as a closed-loop tool would report them.</summary>
    public required LatencySummary UncorrectedLatency { get; init; }

    /// <summary>The run second by second, by when requests were due; seconds without requests are left out.</summary>
    public required IReadOnlyList<LoadSecond> Seconds { get; init; }

    /// <summary>True when the rate was not held: see <see cref="LoadGenerator.HeldRule"/> (achieved rate and schedule lag).</summary>
    public bool Saturated { get; init; }

    /// <summary>Requests that found every connection busy when they were due (each then waited; see <see cref="ScheduleLag"/> for how long).</summary>
    public long Delayed { get; init; }

    /// <summary>How late requests were sent after they were due, in milliseconds (a busy generator or too few connections shows here).</summary>
    public LatencySummary ScheduleLag { get; init; } = new(0, 0, 0, 0);
}
