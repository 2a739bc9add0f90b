namespace Bev.Chaos.Proxy.Toxics.Redis;

/// <summary>
/// <c>redis_delay</c>: a matching command reaches Redis <c>delay_ms</c> after it arrived (so its
/// reply is that much later); commands behind it wait too, as replies keep command order.
/// </summary>
internal sealed class RedisDelayToxic(ToxicDefinition definition) : RedisToxic(definition)
{
    public TimeSpan Delay { get; } = TimeSpan.FromMilliseconds(definition.Attribute(RedisToxicConstants.DelayMs));
}
