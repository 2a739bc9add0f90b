using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.Kernel;

/// <summary>The options of the netem faults that act on a share of packets (<c>packet_corrupt</c>, <c>packet_duplicate</c>).</summary>
internal record NetemShareOptions
{
    /// <summary>Share of packets, in percent.</summary>
    [FaultOption("percent", "Share of packets, in percent.", Min = 0.01, Max = 100)]
    public double Percent { get; init; } = 5;
}
