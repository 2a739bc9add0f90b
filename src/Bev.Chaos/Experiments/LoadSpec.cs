namespace Bev.Chaos.Experiments;

/// <summary>Constant-rate HTTP GETs against a URL during the injection phase.</summary>
public sealed record LoadSpec
{
    public required Uri Url { get; init; }

    /// <summary>Requests per second (1–10,000).</summary>
    public double Rate { get; init; } = 20;

    public TimeSpan Offset { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
}
