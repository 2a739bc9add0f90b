using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Targets;

/// <summary>What the supervisor knows of one managed target.</summary>
/// <param name="Name">Catalog name.</param>
/// <param name="Current">The running process, or null while it is down.</param>
/// <param name="Restarts">How often it was restarted.</param>
/// <param name="LastExit">When it last exited.</param>
/// <param name="LastRestart">When it was last started again.</param>
/// <param name="LastDowntime">Exit to restart, the last time.</param>
public sealed record ManagedProcessState(string Name, ProcessIdentity? Current, int Restarts, DateTimeOffset? LastExit, DateTimeOffset? LastRestart, TimeSpan? LastDowntime);
