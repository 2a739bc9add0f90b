namespace Bev.Chaos.Probes;

/// <summary>
/// One probe outcome: when, whether it succeeded, how long it took, and why not; a prometheus
/// probe's <paramref name="Value"/> is the metric it read (null for every other probe, and when
/// the metric could not be read).
/// </summary>
public sealed record ProbeResult(string Probe, DateTimeOffset Time, bool Success, TimeSpan Latency, string Detail, double? Value = null);
