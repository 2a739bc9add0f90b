namespace Bev.Chaos.TestSupport;

/// <summary>How far a count of random outcomes may fall from its expectation without being a bug.</summary>
internal static class Binomial
{
    /// <summary>
    /// The 99.9 % interval (normal approximation, ±3.29 σ, widened by one either side) of the number
    /// of successes in <paramref name="trials"/> draws of probability <paramref name="p"/>.
    /// </summary>
    public static (long Low, long High) Interval(long trials, double p)
    {
        var mean = trials * p;
        var spread = 3.29 * Math.Sqrt(trials * p * (1 - p)) + 1;
        return ((long)Math.Floor(mean - spread), (long)Math.Ceiling(mean + spread));
    }
}
