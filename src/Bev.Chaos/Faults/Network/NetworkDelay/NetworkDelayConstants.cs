namespace Bev.Chaos.Faults.Network.NetworkDelay;

internal static class NetworkDelayConstants
{
    public const string Name = "network_delay";
    public const string DelayMs = "delay_ms";
    public const string JitterMs = "jitter_ms";
    public const string CorrelationPercent = "correlation_percent";
    public const string Distribution = "distribution";
    public const string Uniform = "uniform";
    public const string DelayCap = "max_delay_ms";
    public const long DefaultDelayMs = 100;
    public const long DefaultJitterMs = 0;
    public const long MinMs = 0;
    public const long MaxMs = 60_000;
}
