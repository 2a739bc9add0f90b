using System.Collections.Concurrent;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Agents;

/// <summary>
/// The controller's side of agents: faults on <c>agent:NAME/SERVICE</c> targets go to that agent
/// with a lease, which this relay renews every third of the lease for as long as the fault lives
/// here. If the controller dies or loses the agent, renewals stop and the agent reverts the fault
/// by itself. Emergency stop reaches every agent.
/// </summary>
public sealed partial class AgentRelay : IRemoteFaults
{
    private readonly IReadOnlyDictionary<string, AgentDefinition> _agents;
    private readonly Dictionary<string, AgentClient> _clients;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, RemoteFault> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Uri Url, DateTimeOffset Seen)> _heartbeats = new(StringComparer.Ordinal);

    /// <summary>
    /// A relay for <paramref name="agents"/>, the <c>agents:</c> entries by name. Without <paramref name="logger"/> nothing is
    /// logged; <paramref name="handler"/>, when given, carries every agent's HTTP requests and stays the caller's to dispose.
    /// </summary>
    public AgentRelay(IReadOnlyDictionary<string, AgentDefinition> agents, TimeProvider timeProvider, ILogger? logger = null, HttpMessageHandler? handler = null)
    {
        _agents = agents;
        _clients = agents.ToDictionary(a => a.Key, a => new AgentClient(a.Value, handler), StringComparer.Ordinal);
        _time = timeProvider;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>A fault held on an agent: where, the agent's id, and what.</summary>
    public sealed record RemoteFault(string FaultId, string Agent, string AgentFaultId, string Injector, string Target)
    {
        internal ITimer? Renewal { get; set; }
    }

    /// <summary>The faults this relay holds on agents now (a copy), whose leases it keeps renewing.</summary>
    public IReadOnlyCollection<RemoteFault> Faults => _faults.Values.ToList();

    /// <summary>Agents that reported in (<c>POST /agents/heartbeat</c>), with when.</summary>
    public IReadOnlyDictionary<string, (Uri Url, DateTimeOffset Seen)> Heartbeats => _heartbeats;

    /// <summary>True when <paramref name="faultId"/> is a fault this relay holds on an agent (an id like <c>ID@AGENT</c>).</summary>
    public bool Owns(string faultId) => _faults.ContainsKey(faultId);

    /// <summary>Records that agent <paramref name="name"/> (configured or not) reported in, now, from <paramref name="url"/>.</summary>
    public void Heartbeat(string name, Uri url) => _heartbeats[name] = (url, _time.GetUtcNow());

    /// <summary>Checks an <c>agent:NAME/SERVICE</c> target's form and agent name; returns the two parts.</summary>
    /// <exception cref="ChaosValidationException">Malformed, or no such agent.</exception>
    public (string Agent, string Service) Parse(string target)
    {
        var rest = target.StartsWith("agent:", StringComparison.Ordinal) ? target[6..] : string.Empty;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == rest.Length - 1)
        {
            throw new ChaosValidationException("target_service", target, "agent:NAME/SERVICE, SERVICE being a target on that agent's host (pid:N, name:X, docker:C or its catalog name)");
        }

        var agent = rest[..slash];
        return _agents.ContainsKey(agent)
            ? (agent, rest[(slash + 1)..])
            : throw new ChaosValidationException("target_service", target, _agents.Count == 0 ? "an agent configured under agents: (none is)" : "an agent configured under agents: " + string.Join(", ", _agents.Keys.Order(StringComparer.Ordinal)));
    }

    void IRemoteFaults.CheckTarget(string target) => _ = Parse(target);

    async Task<(string Injector, string Target)?> IRemoteFaults.RemoveRemoteAsync(string faultId, CancellationToken cancellationToken) =>
        await RemoveAsync(faultId, cancellationToken).ConfigureAwait(false) is { } fault ? (fault.Injector, fault.Target) : null;

    /// <summary>Injects on the agent and starts renewing its lease; returns this controller's id for it.</summary>
    /// <exception cref="ChaosValidationException">Bad target, unreachable agent, wrong token, or the agent's own validation; nothing applied.</exception>
    public async Task<string> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        var (agent, service) = Parse(request.Target);
        var remoteId = await _clients[agent].InjectAsync(request.Target, request with { Target = service }, cancellationToken).ConfigureAwait(false);
        var fault = new RemoteFault($"{remoteId}@{agent}", agent, remoteId, request.Injector, request.Target);
        var every = _agents[agent].Lease / 3;
        fault.Renewal = _time.CreateTimer(_ => _ = RenewAsync(fault), null, every, every);
        _faults[fault.FaultId] = fault;
        return fault.FaultId;
    }

    /// <summary>Removes a fault from its agent; returns it, or null when this relay does not hold it.</summary>
    public async Task<RemoteFault?> RemoveAsync(string faultId, CancellationToken cancellationToken)
    {
        if (!_faults.TryRemove(faultId, out var fault))
        {
            return null;
        }

        fault.Renewal?.Dispose();
        try
        {
            await _clients[fault.Agent].RemoveAsync(fault.AgentFaultId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // Unreachable: renewals have stopped, so the agent reverts it when its lease runs out.
            LogUnreachable(fault.Agent, ex.Message);
        }

        return fault;
    }

    /// <summary>Every agent's emergency stop, in parallel; returns how many faults they removed.</summary>
    public async Task<int> EmergencyStopAsync(CancellationToken cancellationToken)
    {
        foreach (var fault in _faults.Values)
        {
            fault.Renewal?.Dispose();
        }

        _faults.Clear();
        var counts = await Task.WhenAll(_clients.Select(async c =>
        {
            try
            {
                return await c.Value.EmergencyStopAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                LogUnreachable(c.Key, ex.Message);
                return 0;
            }
        })).ConfigureAwait(false);
        return counts.Sum();
    }

    private async Task RenewAsync(RemoteFault fault)
    {
        try
        {
            if (!await _clients[fault.Agent].RenewAsync(fault.AgentFaultId, CancellationToken.None).ConfigureAwait(false)
                && _faults.TryRemove(fault.FaultId, out _))
            {
                // The agent no longer holds it (expired, removed there): stop renewing.
                fault.Renewal?.Dispose();
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            LogUnreachable(fault.Agent, ex.Message);
        }
    }

    /// <summary>Removes every fault this relay holds from its agent, and stops renewing.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_faults.Keys.ToList().Select(id => RemoveAsync(id, CancellationToken.None))).ConfigureAwait(false);
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Agent {Agent} unreachable: {Reason}")]
    private partial void LogUnreachable(string agent, string reason);
}
