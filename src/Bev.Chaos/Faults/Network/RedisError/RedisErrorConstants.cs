namespace Bev.Chaos.Faults.Network.RedisError;

internal static class RedisErrorConstants
{
    public const string Name = "redis_error";
    public const string ToxicType = "redis_error";
}
