using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.HttpDelay;

/// <summary>The options of <c>http_delay</c>: the HTTP matchers and the hold.</summary>
internal sealed record HttpDelayOptions : HttpMatchOptions
{
    /// <summary>How long each matching request is held, in milliseconds.</summary>
    [FaultOption("delay_ms", "How long each matching request is held, in milliseconds.", Min = 0, Max = 3_600_000)]
    public long DelayMilliseconds { get; init; } = 100;

    /// <summary>Random variation, ± milliseconds.</summary>
    [FaultOption("jitter_ms", "Random variation, ± milliseconds.", Min = 0, Max = 3_600_000)]
    public long JitterMilliseconds { get; init; }

    /// <summary>request: hold the request before the dependency sees it; response: hold its response.</summary>
    [FaultOption("on", "request: hold the request before the dependency sees it; response: hold its response.", AllowedValues = ["request", "response"])]
    public string On { get; init; } = "request";
}
