namespace Bev.Chaos.Faults.Network.NetworkPartition;

internal static class NetworkPartitionConstants
{
    public const string Name = "network_partition";
    public const string Mode = "mode";
    public const string Drop = "drop";
    public const string Reject = "reject";
    public const string DefaultMode = Drop;
}
