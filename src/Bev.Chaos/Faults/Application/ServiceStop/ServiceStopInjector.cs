using System.Text.Json.Nodes;
using Bev.Chaos.Targets.Docker;

namespace Bev.Chaos.Faults.Application.ServiceStop;

/// <summary>
/// Stops a docker target's containers (<c>docker stop</c>: SIGTERM, SIGKILL after the grace time)
/// and starts them again on removal — an outage with a defined end, unlike a crash.
/// </summary>
internal sealed class ServiceStopInjector(DockerEngine? docker = null) : FaultInjector
{
    private const string Grace = "grace_seconds";

    public override string Name => "service_stop";

    public override FaultCategory Category => FaultCategory.Application;

    public override string Description => "Stops the target's containers (docker stop) and starts them again on removal.";

    public override IReadOnlyList<FaultParameter> Parameters { get; } =
    [
        FaultParameter.Integer(Grace, "Seconds between SIGTERM and SIGKILL.", 10, 0, 60),
    ];

    protected internal override void Validate(FaultContext context, List<ValidationError> errors) =>
        DockerFault.RequireContainers(context, errors);

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(DockerFault.Recipe(context));

    protected internal override async ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        foreach (var id in DockerFault.Containers(undo))
        {
            await DockerFault.Engine(docker, Name).StopAsync(id, TimeSpan.FromSeconds(context.Parameters.GetInteger(Grace)), cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    // A container removed meanwhile cannot be started, and one already running again needs nothing.
    protected internal override async ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        var engine = DockerFault.Engine(docker, Name);
        foreach (var id in DockerFault.Containers(undo))
        {
            if (await engine.InspectAsync(id, cancellationToken).ConfigureAwait(false) is { Running: false })
            {
                await engine.StartAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
