using Bev.Chaos.Targets.Docker;

namespace Bev.Chaos.Faults.Application.ServiceRestart;

/// <summary>
/// Restarts a docker target's containers (<c>docker restart</c>). Nothing to undo: the fault's
/// duration is the window in which the service must be healthy again.
/// </summary>
internal sealed class ServiceRestartInjector(DockerEngine? docker = null) : DockerFault<ServiceRestartOptions>(docker)
{
    public override string Name => ServiceRestartConstants.Name;

    public override string Description => "Restarts the target's containers (docker restart).";

    protected override Task ApplyToAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken) =>
        Docker.RestartAsync(containerId, grace, cancellationToken);
}
