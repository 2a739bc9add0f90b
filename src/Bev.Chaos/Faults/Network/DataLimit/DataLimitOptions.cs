using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Network.DataLimit.DataLimitConstants;

namespace Bev.Chaos.Faults.Network.DataLimit;

/// <summary>The options of <c>data_limit</c>.</summary>
internal sealed record DataLimitOptions
{
    /// <summary>Bytes a connection may carry before it is closed.</summary>
    [FaultOption(Bytes, "Bytes a connection may carry before it is closed.", Min = MinBytes, Max = MaxBytes)]
    public long ByteLimit { get; init; } = DefaultBytes;
}
