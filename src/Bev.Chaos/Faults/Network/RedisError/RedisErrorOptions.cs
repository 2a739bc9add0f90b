using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.RedisError;

/// <summary>The options of <c>redis_error</c>: the command matchers and the error.</summary>
internal sealed record RedisErrorOptions : RedisMatchOptions
{
    /// <summary>The error line, or one of Redis' own by name.</summary>
    [FaultOption("error", "The error line, or one of OOM, LOADING, READONLY, BUSY, MASTERDOWN, MISCONF, NOSCRIPT, CLUSTERDOWN, TRYAGAIN, NOAUTH for Redis' own.")]
    public string Error { get; init; } = "LOADING";
}
