using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.PostgresDelay;

/// <summary>The options of <c>postgres_delay</c>: the query matcher and the hold.</summary>
internal sealed record PostgresDelayOptions : PostgresMatchOptions
{
    /// <summary>How long each matching query is held, in milliseconds.</summary>
    [FaultOption("delay_ms", "How long each matching query is held, in milliseconds.", Min = 0, Max = 3_600_000)]
    public long DelayMilliseconds { get; init; } = 100;
}
