using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Application;

/// <summary>The options of the container faults that stop a container (<c>service_stop</c>, <c>service_restart</c>).</summary>
internal record DockerFaultOptions
{
    /// <summary>The parameter's name.</summary>
    public const string Grace = "grace_seconds";

    /// <summary>Seconds between SIGTERM and SIGKILL.</summary>
    [FaultOption(Grace, "Seconds between SIGTERM and SIGKILL.", Min = 0, Max = 60)]
    public long GraceSeconds { get; init; } = 10;
}
