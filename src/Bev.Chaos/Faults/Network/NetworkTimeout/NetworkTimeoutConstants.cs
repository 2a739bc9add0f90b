namespace Bev.Chaos.Faults.Network.NetworkTimeout;

internal static class NetworkTimeoutConstants
{
    public const string Name = "network_timeout";
    public const string TimeoutMs = "timeout_ms";
    public const long DefaultTimeoutMs = 0;
    public const long MinTimeoutMs = 0;
    public const long MaxTimeoutMs = 3_600_000;
    public const string ToxicType = "timeout";
    public const string ToxicAttribute = "timeout";
}
