using Bev.Chaos.Targets.Docker;

namespace Bev.Chaos.Faults.Application.ServiceStop;

/// <summary>
/// Stops a docker target's containers (<c>docker stop</c>: SIGTERM, SIGKILL after the grace time)
/// and starts them again on removal — an outage with a defined end, unlike a crash.
/// </summary>
internal sealed class ServiceStopInjector(DockerEngine? docker = null) : DockerFault<ServiceStopOptions>(docker)
{
    public override string Name => ServiceStopConstants.Name;

    /// <inheritdoc />
    public override bool ExclusivePerTarget => true;

    public override string Description => "Stops the target's containers (docker stop) and starts them again on removal.";

    protected override Task ApplyToAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken) =>
        Docker.StopAsync(containerId, grace, cancellationToken);

    // A container removed meanwhile cannot be started, and one already running again needs nothing.
    protected override async Task RevertOnAsync(string containerId, CancellationToken cancellationToken)
    {
        if (await Docker.InspectAsync(containerId, cancellationToken).ConfigureAwait(false) is { Running: false })
        {
            await Docker.StartAsync(containerId, cancellationToken).ConfigureAwait(false);
        }
    }
}
