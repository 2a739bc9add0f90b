namespace Bev.Chaos.Faults;

/// <summary>
/// Faults on other hosts, as the fault layer sees them: where <c>agent:NAME/SERVICE</c> targets go.
/// The fault layer defines it and the agents' side (<c>Agents.AgentRelay</c>) implements it, so
/// faults never depend on agents.
/// </summary>
public interface IRemoteFaults : IAsyncDisposable
{
    /// <summary>Checks an <c>agent:NAME/SERVICE</c> target's form and agent name.</summary>
    /// <exception cref="ChaosValidationException">Malformed, or no such agent.</exception>
    void CheckTarget(string target);

    /// <summary>Injects on the remote host; returns this engine's id for the fault.</summary>
    /// <exception cref="ChaosValidationException">Bad target, unreachable host, or the host's own validation; nothing applied.</exception>
    Task<string> InjectAsync(FaultRequest request, CancellationToken cancellationToken);

    /// <summary>Removes a remote fault; returns its injector and target, or null when it is not held remotely.</summary>
    Task<(string Injector, string Target)?> RemoveRemoteAsync(string faultId, CancellationToken cancellationToken);

    /// <summary>Every remote host's emergency stop; returns how many faults they removed.</summary>
    Task<int> EmergencyStopAsync(CancellationToken cancellationToken);
}
