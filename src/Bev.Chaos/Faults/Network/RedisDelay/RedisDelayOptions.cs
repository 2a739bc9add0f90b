using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.RedisDelay;

/// <summary>The options of <c>redis_delay</c>: the command matchers and the hold.</summary>
internal sealed record RedisDelayOptions : RedisMatchOptions
{
    /// <summary>How long each matching command is held, in milliseconds.</summary>
    [FaultOption("delay_ms", "How long each matching command is held, in milliseconds.", Min = 0, Max = 3_600_000)]
    public long DelayMilliseconds { get; init; } = 100;
}
