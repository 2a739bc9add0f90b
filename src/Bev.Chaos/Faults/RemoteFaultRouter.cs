using Bev.Chaos.Configuration;
using Bev.Chaos.Events;

namespace Bev.Chaos.Faults;

/// <summary>
/// Sends faults on other hosts to <see cref="IRemoteFaults"/>: <c>agent:NAME/SERVICE</c> targets and
/// catalog entries of kind agent. The remote side journals, applies and leases them; nothing is
/// journaled here, so a dead controller leaves nothing to revert.
/// </summary>
internal sealed class RemoteFaultRouter(ChaosConfiguration configuration, IRemoteFaults? remote, ChaosEventStream events, TimeProvider time) : IAsyncDisposable
{
    /// <summary><c>agent:NAME/SERVICE</c> for a remote target (as given, or from its catalog entry); null for a local one.</summary>
    public string? RemoteTargetOf(string target) =>
        target.StartsWith("agent:", StringComparison.Ordinal) ? target
        : configuration.Targets.TryGetValue(target, out var definition) && definition.Kind == TargetKind.Agent ? $"agent:{definition.Host}/{definition.Service}"
        : null;

    /// <exception cref="ChaosValidationException">Malformed, no such agent, or no agents configured.</exception>
    public void Check(string remoteTarget) => Remote(remoteTarget).CheckTarget(remoteTarget);

    /// <summary>Injects on the remote host; <paramref name="started"/> is when the request came (a timestamp of the engine's <see cref="TimeProvider"/>).</summary>
    public async Task<string> InjectAsync(FaultRequest request, long started, CancellationToken cancellationToken)
    {
        var id = await Remote(request.Target).InjectAsync(request, cancellationToken).ConfigureAwait(false);
        var latency = time.GetElapsedTime(started);
        var expires = time.GetUtcNow() + (request.Duration ?? configuration.Global.DefaultFaultDuration);
        events.Publish(new FaultInjectedEvent(time.GetUtcNow(), id, request.Injector, request.Target, expires, latency));
        return id;
    }

    /// <summary>Removes a remote fault; false when no remote host holds it.</summary>
    public async Task<bool> TryRemoveAsync(string faultId, CancellationToken cancellationToken)
    {
        if (remote is null || await remote.RemoveRemoteAsync(faultId, cancellationToken).ConfigureAwait(false) is not { } removed)
        {
            return false;
        }

        events.Publish(new FaultRemovedEvent(time.GetUtcNow(), faultId, removed.Injector, removed.Target, RemovalReason.Requested));
        return true;
    }

    public Task<int> EmergencyStopAsync(CancellationToken cancellationToken) => remote?.EmergencyStopAsync(cancellationToken) ?? Task.FromResult(0);

    public ValueTask DisposeAsync() => remote?.DisposeAsync() ?? ValueTask.CompletedTask;

    private IRemoteFaults Remote(string target) => remote ?? throw new ChaosValidationException(
        "target_service", target, "a local target: pid:N, name:PROCESS_NAME, docker:CONTAINER or a catalog service (no agents: are configured)");
}
