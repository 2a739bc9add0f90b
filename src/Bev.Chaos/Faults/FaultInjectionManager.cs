using System.Text.Json.Nodes;
using Bev.Chaos.Configuration;
using Bev.Chaos.Events;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Targets;
using Bev.Chaos.Targets.Linux;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bev.Chaos.Faults;

/// <summary>
/// Injects faults, bounds them and removes them: validates a request completely before anything
/// happens, journals the undo recipe before the effect, removes every fault when it expires, and
/// reverts what dead engines left behind when it starts. The parts: <see cref="FaultRequestValidator"/>,
/// <see cref="FaultTransitions"/> (the journal), <see cref="LiveFaultRegistry"/> (faults held here and
/// their expiry), <see cref="FaultReverter"/> (the one way out), <see cref="RemoteFaultRouter"/> (agents),
/// <see cref="JournalSync"/>, <see cref="EffectWatch"/> and <see cref="EmergencyStop"/> (the barrier).
/// </summary>
public sealed class FaultInjectionManager : IAsyncDisposable
{
    private readonly Dictionary<string, FaultInjector> _injectors;
    private readonly FaultRequestValidator _requests;
    private readonly FaultTransitions _journal;
    private readonly LiveFaultRegistry _live;
    private readonly FaultReverter _reverter;
    private readonly RemovedFaultMeasurements _measurements = new();
    private readonly RemoteFaultRouter _remote;
    private readonly JournalSync _sync;
    private readonly EffectWatch _watch;
    private readonly IInjectionLock? _lock;
    private readonly InjectionGate _gate = new();
    private readonly EmergencyStop _emergencyStop;
    private readonly TimeProvider _time;
    private readonly ChaosConfiguration _configuration;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>
    /// Creates a manager over a journal, publishing on <c>events</c> (the engine's stream; a new one
    /// when null), sending <c>agent:</c> targets to <c>agents</c> (e.g. <c>Agents.AgentRelay</c>) and
    /// refusing injections while <c>safetyLock</c> (e.g. <c>Safety.SafetyLock</c>) is engaged.
    /// Call <see cref="InitializeAsync"/> before use.
    /// </summary>
    /// <exception cref="ChaosValidationException">The <c>fault_injectors:</c> configuration names an unknown injector or cap.</exception>
    public FaultInjectionManager(
        ChaosConfiguration configuration,
        FaultJournal journal,
        TargetResolver? targets = null,
        IEnumerable<FaultInjector>? injectors = null,
        ChaosEventStream? events = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IInjectionLock? safetyLock = null,
        IRemoteFaults? agents = null)
    {
        _lock = safetyLock;
        _configuration = configuration;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FaultInjectionManager>();
        Events = events ?? new ChaosEventStream();
        _injectors = FaultTypeRegistration.Register(injectors ?? BuiltInInjectors.Create());
        _requests = new FaultRequestValidator(configuration, _injectors, targets ?? new TargetResolver(configuration, null, journal.Store.RunDirectory), _time, journal.Store.DataDirectory, _logger);
        _requests.ValidateConfiguration();
        _journal = new FaultTransitions(journal, _time);
        _live = new LiveFaultRegistry(_time);
        _reverter = new FaultReverter(_journal, _injectors, Events, _time, _logger, _measurements);
        _remote = new RemoteFaultRouter(configuration, agents, Events, _time);
        _sync = new JournalSync(_journal, _live, Events, _time);
        _watch = new EffectWatch(_journal, _live, Events, _time, _logger);
        _emergencyStop = new EmergencyStop(_live, _journal, _reverter, _remote, _gate, safetyLock, RemoveLiveAsync, Events, _time, _logger);
    }

    /// <summary>
    /// What a fault of this engine has done, as its handle counts it (a proxy toxic's
    /// <c>matched</c> and <c>affected</c> requests, <c>connections</c>, <c>bytes_delayed</c>,
    /// <c>resets</c>): the counts so far for a fault in effect, the last ones, read just before the
    /// revert, for one removed; null for a fault that counts nothing or is another process's.
    /// </summary>
    public IReadOnlyDictionary<string, long>? MeasurementsOf(string faultId)
    {
        if (_live.TryGet(faultId)?.Handle is not IFaultMeasurements counted)
        {
            return _measurements.Of(faultId);
        }

        try
        {
            return counted.Measure();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or KeyNotFoundException)
        {
            // Being removed this moment (its toxic already gone): the last counts, once recorded.
            return _measurements.Of(faultId);
        }
    }

    /// <summary>The event stream this manager publishes on (the engine's, when the engine made it).</summary>
    public ChaosEventStream Events { get; }

    /// <summary>The injectors, by name.</summary>
    public IReadOnlyDictionary<string, FaultInjector> Injectors => _injectors;

    /// <summary>The faults this engine holds now.</summary>
    public IReadOnlyCollection<ActiveFault> ActiveFaults => _live.Snapshots;

    /// <summary>Reverts every fault whose owning engine is dead. Returns how many.</summary>
    public Task<int> InitializeAsync(CancellationToken cancellationToken = default) =>
        FaultReconciler.RevertOrphansAsync(_journal, _reverter, FillRoots(), _logger, cancellationToken);

    /// <summary>Injects a fault and returns its id once the effect is in place.</summary>
    /// <param name="injectorName">An injector name, e.g. <c>cpu_stress</c>.</param>
    /// <param name="targetService">A catalog name, <c>pid:N</c> or <c>name:PROCESS</c>.</param>
    /// <param name="profileName">A profile of the injector, or null.</param>
    /// <param name="parameters">Explicit parameters; they override the profile's.</param>
    /// <param name="duration">How long the fault lasts; default from profile or configuration, capped by configuration.</param>
    /// <param name="cancellationToken">Cancels the injection (the fault is then removed).</param>
    /// <exception cref="ChaosValidationException">Every problem with the request; nothing was applied.</exception>
    /// <exception cref="FeatureUnavailableException">The machine lacks what the fault needs; nothing was applied.</exception>
    public Task<string> InjectFaultAsync(string injectorName, string targetService, string? profileName = null, IReadOnlyDictionary<string, object?>? parameters = null, TimeSpan? duration = null, CancellationToken cancellationToken = default) =>
        InjectFaultAsync(new FaultRequest(injectorName, targetService, profileName, parameters, duration), cancellationToken);

    /// <summary>Injects a fault described by <paramref name="request"/>; see the other overload.</summary>
    /// <exception cref="ChaosValidationException">Every problem with the request; nothing was applied.</exception>
    /// <exception cref="FeatureUnavailableException">The machine lacks what the fault needs; nothing was applied.</exception>
    public async Task<string> InjectFaultAsync(FaultRequest request, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();

        // Entered before the lock is read: an emergency stop that closes the lock after this read
        // waits for this injection to finish, then removes it. Disposal waits the same way, so the
        // check follows the entry.
        using var inFlight = _gate.Enter();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_lock is not null)
        {
            await _lock.ThrowIfEngagedAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_remote.RemoteTargetOf(request.Target) is { } remote)
        {
            return await _remote.InjectAsync(request with { Target = remote }, started, cancellationToken).ConfigureAwait(false);
        }

        var context = _requests.Build(request, out var injector);
        var undo = await injector.PrepareAsync(context, cancellationToken).ConfigureAwait(false);
        var created = await _journal.InjectingAsync(context, injector, request, undo, cancellationToken).ConfigureAwait(false);
        try
        {
            await RefuseUnlessClearAsync(context, injector, undo, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Nothing was applied, and reverting the recipe could undo the fault that holds the target.
            await _journal.InjectionFailedAsync(context.FaultId, undo, ex.Message).ConfigureAwait(false);
            throw;
        }

        IAsyncDisposable? handle;
        try
        {
            handle = await injector.ApplyAsync(context, undo, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await _reverter.RevertFailedInjectionAsync(injector, context, undo, ex).ConfigureAwait(false);
            throw;
        }

        var live = new LiveFault(injector, undo, handle, new ActiveFault(context.FaultId, injector.Name, request.Target, request.Profile,
            context.Parameters.Values, FaultState.Active, created, context.ExpiresAt, ProcessIdentity.Current) { TargetProcesses = context.Target.Processes });
        _live.Add(live);
        try
        {
            await _journal.ActiveAsync(context.FaultId, undo).ConfigureAwait(false);

            // Checked before the expiry starts, so that a fault's own expiry is never taken for a stop.
            await RevertIfStoppedMeanwhileAsync(context.FaultId).ConfigureAwait(false);
        }
        finally
        {
            if (live.Removal is null)
            {
                _live.StartExpiry(live, ExpireAsync);
            }
        }

        var latency = _time.GetElapsedTime(started);
        FaultLog.LogInjected(_logger, context.FaultId, injector.Name, request.Target, latency.TotalMilliseconds, context.Duration);
        Events.Publish(new FaultInjectedEvent(_time.GetUtcNow(), context.FaultId, injector.Name, request.Target, context.ExpiresAt, latency));
        return context.FaultId;
    }

    /// <summary>Validates a request as <see cref="InjectFaultAsync(FaultRequest, CancellationToken)"/> would, without applying anything.</summary>
    /// <exception cref="ChaosValidationException">Every problem with the request.</exception>
    public FaultContext Validate(string injectorName, string targetService, string? profileName, IReadOnlyDictionary<string, object?>? parameters, TimeSpan? duration) =>
        _requests.Build(new FaultRequest(injectorName, targetService, profileName, parameters, duration), out _);

    /// <summary>
    /// Checks a request before anything runs: fully for a local target, the form and agent name for
    /// <c>agent:NAME/SERVICE</c> (that agent validates the rest when the fault is sent).
    /// </summary>
    /// <exception cref="ChaosValidationException">Every problem with the request.</exception>
    public void Check(FaultRequest request)
    {
        if (_remote.RemoteTargetOf(request.Target) is { } remote)
        {
            _remote.Check(remote);
            return;
        }

        _ = Validate(request.Injector, request.Target, request.Profile, request.Parameters, request.Duration);
    }

    /// <summary>
    /// Removes a fault: this engine's directly, another engine's (or a dead one's) from its journal
    /// recipe. Returns false when no open fault has that id.
    /// </summary>
    public async Task<bool> RemoveFaultAsync(string faultId, CancellationToken cancellationToken = default)
    {
        if (await _remote.TryRemoveAsync(faultId, cancellationToken).ConfigureAwait(false) || await RemoveFaultAsync(faultId, RemovalReason.Requested).ConfigureAwait(false))
        {
            return true;
        }

        var entry = await _journal.GetAsync(faultId, cancellationToken).ConfigureAwait(false);
        if (entry is null || FaultTransitions.IsClosed(entry))
        {
            return false;
        }

        await _reverter.RevertAsync([FaultReverter.Revertible.Of(entry)], RemovalReason.Requested, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Removes one of this engine's faults for <paramref name="reason"/>; false when it holds no such fault.</summary>
    public async Task<bool> RemoveFaultAsync(string faultId, RemovalReason reason)
    {
        if (!_live.Contains(faultId))
        {
            return false;
        }

        await RemoveLiveAsync([faultId], reason).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Why a fault's removal failed — its effect may still be in place — or null when it did not,
    /// whoever removed it (a request, its expiry, an emergency stop) and for a fault this journal
    /// does not hold (an agent's).
    /// </summary>
    public async Task<string?> RemovalErrorAsync(string faultId, CancellationToken cancellationToken = default)
    {
        var entry = await _journal.GetAsync(faultId, cancellationToken).ConfigureAwait(false);
        return entry is { State: FaultState.Failed, Error: { } error } && error.StartsWith(FaultTransitions.RemovalFailed, StringComparison.Ordinal)
            ? error[FaultTransitions.RemovalFailed.Length..]
            : null;
    }

    /// <summary>
    /// Removes every open fault — this engine's and every other engine's in the journal — at once,
    /// and engages the safety lock (when the manager has one). Returns how many faults were removed.
    /// </summary>
    public Task<int> EmergencyStopAsync(CancellationToken cancellationToken = default) => _emergencyStop.RunAsync(cancellationToken);

    /// <summary>Drops faults that another process removed (through the journal) from this engine's list.</summary>
    public Task SyncWithJournalAsync(CancellationToken cancellationToken = default) => _sync.SyncAsync(cancellationToken);

    /// <summary>Removes every fault this engine holds.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Injections under way finish first (new ones are refused), so none is left live behind; on
        // the kernel's clock and briefly, since a stop may come with little grace (compose gives 30 s).
        await _gate.WaitDrainedAsync(ShutdownWait, TimeProvider.System).ConfigureAwait(false);
        await _sync.DisposeAsync().ConfigureAwait(false);
        await _watch.DisposeAsync().ConfigureAwait(false);
        await _remote.DisposeAsync().ConfigureAwait(false);
        await RemoveLiveAsync(_live.Ids, RemovalReason.Shutdown).ConfigureAwait(false);
        Helpers.HelperProcess.StopStandby();
    }

    // Each fault is removed once (a removal already under way is awaited); many share the reverter's two journal transactions.
    private async Task RemoveLiveAsync(IReadOnlyList<string> faultIds, RemovalReason reason)
    {
        var (claimed, others) = _live.Claim(faultIds);
        try
        {
            await _reverter.RevertAsync(claimed.Select(FaultReverter.Revertible.Of).ToList(), reason, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            foreach (var fault in claimed)
            {
                _live.Release(fault);
            }
        }

        await others.ConfigureAwait(false);
    }

    // Where disk_fill may write, as its injector allows it.
    private IEnumerable<string> FillRoots() =>
        [Path.GetTempPath(), _journal.DataDirectory, .. _configuration.InjectorSettingsFor(Storage.DiskFill.DiskFillConstants.Name).AllowedPaths];

    // How long disposal waits for injections under way.
    private static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(5);

    // Journaled, not yet applied. The lock is read again: a stop in another process that listed
    // the journal before this entry existed had closed the lock before it listed. And a fault that
    // overlaps one already holding the target is refused: the processes and containers of the two
    // recipes are compared (a target named twice over is one target), and of two entries the one
    // committed first wins, so that of concurrent requests in any processes exactly one holds it.
    private async Task RefuseUnlessClearAsync(FaultContext context, FaultInjector injector, JsonObject undo, CancellationToken cancellationToken)
    {
        if (_lock is not null)
        {
            await _lock.ThrowIfEngagedAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!injector.ExclusivePerTarget)
        {
            return;
        }

        var held = RecipeTargets.Of(undo);
        var open = await _journal.ListOpenAsync(cancellationToken).ConfigureAwait(false);
        var own = open.FirstOrDefault(e => e.FaultId == context.FaultId)?.Sequence ?? long.MaxValue;
        var holder = open
            .Where(e => e.FaultId != context.FaultId && e.Injector == injector.Name && e.Sequence < own
                && (e.Target == context.Target.Name || RecipeTargets.Of(e.UndoJson).Overlaps(held)))
            .MinBy(e => e.Sequence);
        if (holder is not null)
        {
            throw new ChaosValidationException("target_service", context.Target.Name,
                $"a target without an active {injector.Name}: fault {holder.FaultId} holds it until {holder.ExpiresAt:u}; remove that fault first (two would undo each other)");
        }
    }

    // Applied and active. A stop that came meanwhile (the lock, or this fault's entry closed by a
    // stop or removal in another process while the effect was being made) gets its way: the fault
    // is reverted from its recipe before this injection answers.
    private async Task RevertIfStoppedMeanwhileAsync(string faultId)
    {
        var entry = await _journal.GetAsync(faultId, CancellationToken.None).ConfigureAwait(false);
        var removedMeanwhile = entry is null || entry.State is FaultState.Removing || FaultTransitions.IsClosed(entry);
        Exception? locked = null;
        if (_lock is not null)
        {
            try
            {
                await _lock.ThrowIfEngagedAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                locked = ex;
            }
        }

        if (!removedMeanwhile && locked is null)
        {
            return;
        }

        await RemoveLiveAsync([faultId], RemovalReason.EmergencyStop).ConfigureAwait(false);
        var by = entry?.RemovalReason is { } reason ? $" ({reason})" : "";
        throw locked ?? new InvalidOperationException($"fault {faultId} was removed{by} while it was being injected; its effect has been reverted");
    }

    private async Task ExpireAsync(string faultId)
    {
        try
        {
            await RemoveLiveAsync([faultId], RemovalReason.Expired).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            FaultLog.LogRevertFailed(_logger, faultId, "?", ex.Message);
        }
    }
}
