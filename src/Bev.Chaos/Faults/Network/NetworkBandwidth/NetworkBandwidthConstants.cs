namespace Bev.Chaos.Faults.Network.NetworkBandwidth;

internal static class NetworkBandwidthConstants
{
    public const string Name = "network_bandwidth";
    public const string RateKbps = "rate_kbps";
    public const long DefaultRateKbps = 1000;
    public const long MinRateKbps = 8;
    public const long MaxRateKbps = 100_000_000;
}
