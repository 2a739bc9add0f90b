namespace Bev.Chaos.Faults.Network.HttpAbort;

internal static class HttpAbortConstants
{
    public const string Name = "http_abort";
    public const string ToxicType = "http_abort";
}
