namespace Bev.Chaos.Targets.Docker;

/// <summary>A container a target resolved to: id, name and its init process's pid on this host (0 when not running).</summary>
public sealed record DockerContainer(string Id, string Name, int Pid, bool Running, bool Paused);
