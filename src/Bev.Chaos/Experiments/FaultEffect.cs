namespace Bev.Chaos.Experiments;

/// <summary>Whether the steady-state probes saw a fault's effect (see <see cref="ExperimentImpact"/>).</summary>
public enum FaultEffectiveness
{
    /// <summary>A probe failed while it was in effect, or the probes' median latency rose by the threshold.</summary>
    Visible,

    /// <summary>Probes ran while it was in effect and every one succeeded without the latency rise.</summary>
    NotVisible,

    /// <summary>No probe ran while it was in effect: nothing to judge it by.</summary>
    Unobserved,
}

/// <summary>One fault of an experiment and whether its effect was seen.</summary>
/// <param name="FaultId">The fault.</param>
/// <param name="InjectorName">Its type.</param>
/// <param name="Effect">What the probes saw while it was in effect.</param>
/// <param name="Probes">How many probe results fell inside its window.</param>
public sealed record FaultEffect(string FaultId, string InjectorName, FaultEffectiveness Effect, int Probes);
