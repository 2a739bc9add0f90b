using System.Text.Json.Nodes;
using Bev.Chaos.Targets.Docker;

namespace Bev.Chaos.Faults.Application;

/// <summary>
/// A fault that acts on a docker target's containers through the Docker API, one container at a
/// time: the recipe is their ids; subclasses say what to do to each, and what undoes it.
/// </summary>
/// <typeparam name="TOptions">The fault type's options: the stop's grace.</typeparam>
internal abstract class DockerFault<TOptions>(DockerEngine? docker) : FaultInjector<TOptions>
    where TOptions : DockerFaultOptions, new()
{
    public override FaultCategory Category => FaultCategory.Application;

    protected DockerEngine Docker => docker ?? throw new FeatureUnavailableException($"{Name} needs a Docker daemon (none configured)");

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        if (context.Target.Containers.Count == 0)
        {
            errors.Add(new ValidationError("target_service", context.Target.Name, "a docker target (docker:NAME, docker:label:KEY=VALUE or a catalog entry of kind docker); for a process use service_crash or service_pause"));
        }
    }

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new JsonObject { ["containers"] = new JsonArray([.. context.Target.Containers.Select(c => JsonValue.Create(c.Id))]) });

    protected internal override async ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var grace = TimeSpan.FromSeconds(OptionsOf(context).GraceSeconds);
        foreach (var id in Containers(undo))
        {
            await ApplyToAsync(id, grace, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    protected internal override async ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        foreach (var id in Containers(undo))
        {
            await RevertOnAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The effect on one container.</summary>
    protected abstract Task ApplyToAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Undoes it on one container; a container removed meanwhile must not be an error.</summary>
    protected virtual Task RevertOnAsync(string containerId, CancellationToken cancellationToken) => Task.CompletedTask;

    private static IEnumerable<string> Containers(JsonObject undo) =>
        (undo["containers"]?.AsArray() ?? []).Select(n => n!.GetValue<string>());
}
