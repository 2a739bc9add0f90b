namespace Bev.Chaos.Experiments;

/// <summary>How an experiment ended.</summary>
public enum ExperimentVerdict
{
    /// <summary>The steady state held before and after, and the targets recovered in time.</summary>
    Passed,

    /// <summary>The hypothesis deviated or the targets did not recover.</summary>
    Failed,

    /// <summary>Stopped by a safety breach, an emergency stop, a timeout or a refusal.</summary>
    Aborted,

    /// <summary>Cancelled from outside (Ctrl-C, shutdown).</summary>
    Interrupted,
}
