namespace Bev.Chaos.Server;

/// <summary>How a <see cref="ChaosServer"/> serves beyond its engine's configuration.</summary>
public sealed record ChaosServerOptions
{
    /// <summary>
    /// The lease every injected fault gets when its request names none (<c>lease_seconds</c>); null
    /// (the default): faults without a lease. An agent sets it, so no fault there lacks a dead-man switch.
    /// </summary>
    public TimeSpan? DefaultFaultLease { get; init; }
}
