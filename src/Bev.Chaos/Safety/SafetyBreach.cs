namespace Bev.Chaos.Safety;

/// <summary>A safety threshold crossed: which, the value seen, the limit, when.</summary>
/// <param name="Threshold">The threshold's name, e.g. <c>max_cpu_usage</c>.</param>
/// <param name="Observed">The value seen.</param>
/// <param name="Limit">The threshold's limit.</param>
/// <param name="Time">When it was seen.</param>
public sealed record SafetyBreach(string Threshold, double Observed, double Limit, DateTimeOffset Time)
{
    /// <summary>One line for logs and reports.</summary>
    public override string ToString() => $"{Threshold} {Observed:0.###} above {Limit:0.###} at {Time:HH:mm:ss.fff}";
}
