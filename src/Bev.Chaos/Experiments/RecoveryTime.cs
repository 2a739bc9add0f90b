namespace Bev.Chaos.Experiments;

/// <summary>
/// Time to recover, defined once for experiments and resilience tests: from the last fault's
/// removal to the first of N consecutive healthy observations made after it. An experiment observes
/// probe rounds (N = <see cref="ConsecutiveHealthy"/>); a resilience test observes requests of its
/// constant-rate load (N = the requests due in its sustained-success span, at least
/// <see cref="ConsecutiveHealthy"/>).
/// </summary>
public static class RecoveryTime
{
    /// <summary>How many healthy observations in a row make "recovered" for an experiment: 3.</summary>
    public const int ConsecutiveHealthy = 3;

    /// <summary>
    /// When the first run of <paramref name="consecutive"/> healthy observations at or after
    /// <paramref name="removed"/> began; null when there is none. Observations must be in time order.
    /// </summary>
    public static DateTimeOffset? RecoveredAt(IEnumerable<(DateTimeOffset Time, bool Healthy)> observations, DateTimeOffset removed, int consecutive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(consecutive, 1);
        DateTimeOffset? runStart = null;
        var run = 0;
        foreach (var (time, healthy) in observations)
        {
            if (time < removed)
            {
                continue;
            }

            if (!healthy)
            {
                (runStart, run) = (null, 0);
                continue;
            }

            runStart ??= time;
            if (++run >= consecutive)
            {
                return runStart;
            }
        }

        return null;
    }

    /// <summary>From <paramref name="removed"/> to <see cref="RecoveredAt"/>; null when not recovered.</summary>
    public static TimeSpan? Measure(IEnumerable<(DateTimeOffset Time, bool Healthy)> observations, DateTimeOffset removed, int consecutive) =>
        RecoveredAt(observations, removed, consecutive) is { } at ? (at > removed ? at - removed : TimeSpan.Zero) : null;
}
