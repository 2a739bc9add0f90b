namespace Bev.Chaos.Faults.Network.HttpDelay;

internal static class HttpDelayConstants
{
    public const string Name = "http_delay";
    public const string ToxicType = "http_delay";
}
