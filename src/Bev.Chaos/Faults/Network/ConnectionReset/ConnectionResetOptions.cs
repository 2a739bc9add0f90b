using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Network.ConnectionReset.ConnectionResetConstants;

namespace Bev.Chaos.Faults.Network.ConnectionReset;

/// <summary>The options of <c>connection_reset</c>.</summary>
internal sealed record ConnectionResetOptions
{
    /// <summary>Milliseconds to the reset.</summary>
    [FaultOption(TimeoutMs, "Milliseconds from connection (or injection) to the reset; 0 = at once.", Min = MinTimeoutMs, Max = MaxTimeoutMs)]
    public long AfterMilliseconds { get; init; } = DefaultTimeoutMs;
}
