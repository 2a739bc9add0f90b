namespace Bev.Chaos.Experiments;

/// <summary>How dangerous an experiment is; production mode and approvals key off it.</summary>
public enum SafetyLevel
{
    /// <summary>Little risk; never waits for an approval.</summary>
    Low,
    /// <summary>The default; never waits for an approval, not even in production mode.</summary>
    Medium,
    /// <summary>In production mode, waits for an approval (refused when <c>require_approval_for_critical</c> is off).</summary>
    High,
    /// <summary>
    /// Waits for an approval unless <c>require_approval_for_critical</c> is off; in production mode as <c>High</c>.
    /// </summary>
    Critical,
}
