using System.Text.Json.Nodes;
using Bev.Chaos.Targets.Docker;

namespace Bev.Chaos.Faults.Application;

/// <summary>What the container-only faults share: the check, the recipe (container ids) and the daemon.</summary>
internal static class DockerFault
{
    public static void RequireContainers(FaultContext context, List<ValidationError> errors)
    {
        if (context.Target.Containers.Count == 0)
        {
            errors.Add(new ValidationError("target_service", context.Target.Name, "a docker target (docker:NAME, docker:label:KEY=VALUE or a catalog entry of kind docker); for a process use service_crash or service_pause"));
        }
    }

    public static JsonObject Recipe(FaultContext context) =>
        new() { ["containers"] = new JsonArray([.. context.Target.Containers.Select(c => JsonValue.Create(c.Id))]) };

    public static IEnumerable<string> Containers(JsonObject undo) =>
        (undo["containers"]?.AsArray() ?? []).Select(n => n!.GetValue<string>());

    public static DockerEngine Engine(DockerEngine? docker, string injector) =>
        docker ?? throw new FeatureUnavailableException($"{injector} needs a Docker daemon (none configured)");
}
