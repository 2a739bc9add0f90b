using Bev.Chaos.Configuration;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Targets;

/// <summary>A target name turned into something real: the processes that carry the service right now.</summary>
/// <param name="Name">The name as given (<c>web-server</c>, <c>pid:123</c>, <c>name:redis-server</c>).</param>
/// <param name="Processes">The matched processes and their descendants, parents first.</param>
/// <param name="Port">The service's TCP port on loopback, when known.</param>
/// <param name="Definition">The catalog entry, for catalog targets.</param>
public sealed record ResolvedTarget(string Name, IReadOnlyList<ProcessIdentity> Processes, int? Port, TargetDefinition? Definition)
{
    /// <summary>The main process (the first matched).</summary>
    public ProcessIdentity MainProcess => Processes[0];

    /// <summary>True when the engine's supervisor starts and restarts this target.</summary>
    public bool IsManaged => Definition?.Command is not null;

    /// <summary>For a docker target: the running containers it selected (their processes are <see cref="Processes"/>).</summary>
    public IReadOnlyList<Docker.DockerContainer> Containers { get; init; } = [];
}
