namespace Bev.Chaos.Faults.Network.ConnectionReset;

internal static class ConnectionResetConstants
{
    public const string Name = "connection_reset";
    public const string TimeoutMs = "timeout_ms";
    public const long DefaultTimeoutMs = 0;
    public const long MinTimeoutMs = 0;
    public const long MaxTimeoutMs = 3_600_000;
    public const string ToxicType = "reset_peer";
    public const string ToxicAttribute = "timeout";
}
