using System.Text.Json.Nodes;
using Bev.Chaos.Targets.Docker;

namespace Bev.Chaos.Faults.Application.ServiceRestart;

/// <summary>
/// Restarts a docker target's containers (<c>docker restart</c>). Nothing to undo: the fault's
/// duration is the window in which the service must be healthy again.
/// </summary>
internal sealed class ServiceRestartInjector(DockerEngine? docker = null) : FaultInjector
{
    private const string Grace = "grace_seconds";

    public override string Name => "service_restart";

    public override FaultCategory Category => FaultCategory.Application;

    public override string Description => "Restarts the target's containers (docker restart).";

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
            await DockerFault.Engine(docker, Name).RestartAsync(id, TimeSpan.FromSeconds(context.Parameters.GetInteger(Grace)), cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    protected internal override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
