using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Application.ServicePause.ServicePauseConstants;

namespace Bev.Chaos.Faults.Application.ServicePause;

/// <summary>The options of <c>service_pause</c>.</summary>
internal sealed record ServicePauseOptions
{
    /// <summary>How the target is frozen: <c>signal</c> or <c>freezer</c>.</summary>
    [FaultOption(Method, "signal (SIGSTOP/SIGCONT) or freezer (the cgroup v1 freezer or v2 cgroup.freeze, needs root).", AllowedValues = [SignalMethod, FreezerMethod])]
    public string PauseMethod { get; init; } = SignalMethod;

    /// <summary>True for the cgroup freezer.</summary>
    public bool UsesFreezer => PauseMethod == FreezerMethod;
}
