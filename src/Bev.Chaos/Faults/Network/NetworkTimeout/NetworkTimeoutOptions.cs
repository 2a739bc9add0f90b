using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Network.NetworkTimeout.NetworkTimeoutConstants;

namespace Bev.Chaos.Faults.Network.NetworkTimeout;

/// <summary>The options of <c>network_timeout</c>.</summary>
internal sealed record NetworkTimeoutOptions
{
    /// <summary>Milliseconds until the connection is closed; 0: held until the fault ends.</summary>
    [FaultOption(TimeoutMs, "Milliseconds until the connection is closed; 0 = hold data until the fault ends.", Min = MinTimeoutMs, Max = MaxTimeoutMs)]
    public long CloseAfterMilliseconds { get; init; } = DefaultTimeoutMs;
}
