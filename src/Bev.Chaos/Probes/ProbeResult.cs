namespace Bev.Chaos.Probes;

/// <summary>One probe outcome: when, whether it succeeded, how long it took, and why not.</summary>
public sealed record ProbeResult(string Probe, DateTimeOffset Time, bool Success, TimeSpan Latency, string Detail);
