namespace Bev.Chaos.Faults.Network.RedisDelay;

internal static class RedisDelayConstants
{
    public const string Name = "redis_delay";
    public const string ToxicType = "redis_delay";
}
