namespace Bev.Chaos.Targets.Docker;

/// <summary>A container a target resolved to: id, name, its init process's pid on this host (0 when not running), and its writable layer.</summary>
public sealed record DockerContainer(string Id, string Name, int Pid, bool Running, bool Paused, string? UpperDir = null)
{
    /// <summary>A path inside the running container, as this host reaches it (through its init process's root).</summary>
    public string HostPath(string innerPath) => $"/proc/{Pid}/root{innerPath}";
}
