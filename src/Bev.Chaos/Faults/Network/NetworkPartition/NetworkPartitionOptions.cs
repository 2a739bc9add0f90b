using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Network.NetworkPartition.NetworkPartitionConstants;

namespace Bev.Chaos.Faults.Network.NetworkPartition;

/// <summary>The options of <c>network_partition</c>.</summary>
internal sealed record NetworkPartitionOptions
{
    /// <summary>kernel: drop packets silently or reject them.</summary>
    [FaultOption(Mode, "kernel: drop packets silently or reject them.", AllowedValues = [Drop, Reject])]
    public string Verdict { get; init; } = DefaultMode;
}
