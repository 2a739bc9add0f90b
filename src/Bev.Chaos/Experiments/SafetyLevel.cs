namespace Bev.Chaos.Experiments;

/// <summary>How dangerous an experiment is; production mode and approvals key off it.</summary>
public enum SafetyLevel
{
    Low,
    Medium,
    High,
    Critical,
}
