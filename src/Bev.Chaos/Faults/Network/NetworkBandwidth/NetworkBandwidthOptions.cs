using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Network.NetworkBandwidth.NetworkBandwidthConstants;

namespace Bev.Chaos.Faults.Network.NetworkBandwidth;

/// <summary>The options of <c>network_bandwidth</c>.</summary>
internal sealed record NetworkBandwidthOptions
{
    /// <summary>Rate in kilobits per second.</summary>
    [FaultOption(RateKbps, "Rate in kilobits per second.", Min = MinRateKbps, Max = MaxRateKbps)]
    public long KilobitsPerSecond { get; init; } = DefaultRateKbps;
}
