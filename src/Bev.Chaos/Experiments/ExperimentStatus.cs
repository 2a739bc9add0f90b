namespace Bev.Chaos.Experiments;

/// <summary>Where an experiment is: its phases in order.</summary>
public enum ExperimentStatus
{
    /// <summary>Waiting for an approval (critical safety level, or production mode).</summary>
    AwaitingApproval,

    /// <summary>Measuring the steady state before any fault.</summary>
    Baseline,

    /// <summary>Faults in effect.</summary>
    Injection,

    /// <summary>Faults removed; waiting for the targets to recover.</summary>
    Recovery,

    /// <summary>Measuring the steady state again.</summary>
    Validation,

    /// <summary>Done; the verdict is set.</summary>
    Completed,
}
