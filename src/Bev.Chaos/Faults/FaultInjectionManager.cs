using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bev.Chaos.Configuration;
using Bev.Chaos.Events;
using Bev.Chaos.Persistence;
using Bev.Chaos.Targets;
using Bev.Chaos.Targets.Linux;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bev.Chaos.Faults;

/// <summary>
/// Injects faults, bounds them and removes them: validates a request completely before anything
/// happens, journals the undo recipe before the effect, removes every fault when it expires, and
/// reverts what dead engines left behind when it starts.
/// </summary>
public sealed partial class FaultInjectionManager : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, LiveFault> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FaultInjector> _injectors;
    private readonly ChaosConfiguration _configuration;
    private readonly FaultJournal _journal;
    private readonly TargetResolver _targets;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _journalSync;
    private readonly Safety.SafetyLock? _lock;
    private readonly Agents.AgentRelay? _agents;
    private int _disposed;

    /// <summary>Creates a manager over a journal. Call <see cref="InitializeAsync"/> before use.</summary>
    public FaultInjectionManager(
        ChaosConfiguration configuration,
        FaultJournal journal,
        TargetResolver? targets = null,
        IEnumerable<FaultInjector>? injectors = null,
        ChaosEventStream? events = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        Safety.SafetyLock? safetyLock = null,
        Agents.AgentRelay? agents = null)
    {
        _lock = safetyLock;
        _agents = agents;
        _configuration = configuration;
        _journal = journal;
        _targets = targets ?? new TargetResolver(configuration, null, journal.Store.RunDirectory);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FaultInjectionManager>();
        Events = events ?? new ChaosEventStream();
        _injectors = (injectors ?? BuiltInInjectors.Create()).ToDictionary(i => i.Name, StringComparer.Ordinal);
        ValidateConfiguration();
        _journalSync = _time.CreateTimer(_ => _ = SyncWithJournalSafelyAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The engine's event stream.</summary>
    public ChaosEventStream Events { get; }

    /// <summary>The injectors, by name.</summary>
    public IReadOnlyDictionary<string, FaultInjector> Injectors => _injectors;

    /// <summary>The faults this engine holds now.</summary>
    public IReadOnlyCollection<ActiveFault> ActiveFaults => _live.Values.Select(l => l.Snapshot).OrderBy(f => f.CreatedAt).ToList();

    /// <summary>Reverts every fault whose owning engine is dead. Returns how many.</summary>
    public Task<int> InitializeAsync(CancellationToken cancellationToken = default) =>
        FaultReconciler.RevertOrphansAsync(_journal, _injectors, _time, _logger, cancellationToken);

    /// <summary>
    /// Injects a fault and returns its id once the effect is in place.
    /// </summary>
    /// <param name="injectorName">An injector name, e.g. <c>cpu_stress</c>.</param>
    /// <param name="targetService">A catalog name, <c>pid:N</c> or <c>name:PROCESS</c>.</param>
    /// <param name="profileName">A profile of the injector, or null.</param>
    /// <param name="parameters">Explicit parameters; they override the profile's.</param>
    /// <param name="duration">How long the fault lasts; default from profile or configuration, capped by configuration.</param>
    /// <param name="cancellationToken">Cancels the injection (the fault is then removed).</param>
    /// <exception cref="ChaosValidationException">Every problem with the request; nothing was applied.</exception>
    /// <exception cref="FeatureUnavailableException">The machine lacks what the fault needs; nothing was applied.</exception>
    public Task<string> InjectFaultAsync(
        string injectorName,
        string targetService,
        string? profileName = null,
        IReadOnlyDictionary<string, object?>? parameters = null,
        TimeSpan? duration = null,
        CancellationToken cancellationToken = default) =>
        InjectFaultAsync(new FaultRequest(injectorName, targetService, profileName, parameters, duration), cancellationToken);

    /// <summary>Injects a fault described by <paramref name="request"/>; see the other overload.</summary>
    /// <exception cref="ChaosValidationException">Every problem with the request; nothing was applied.</exception>
    /// <exception cref="FeatureUnavailableException">The machine lacks what the fault needs; nothing was applied.</exception>
    public async Task<string> InjectFaultAsync(FaultRequest request, CancellationToken cancellationToken = default)
    {
        var (injectorName, targetService, profileName, parameters, duration, maxPercent) = request;
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var started = Stopwatch.GetTimestamp();
        if (_lock is not null)
        {
            await _lock.ThrowIfEngagedAsync(cancellationToken).ConfigureAwait(false);
        }

        if (AgentTarget(targetService) is { } remote)
        {
            return await InjectOnAgentAsync(request with { Target = remote }, started, cancellationToken).ConfigureAwait(false);
        }

        var context = BuildContext(injectorName, targetService, profileName, parameters ?? new Dictionary<string, object?>(), duration, out var injector, maxPercent);
        var undo = await injector.PrepareAsync(context, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        await _journal.AppendAsync(
            new JournalEntry(context.FaultId, injector.Name, targetService, profileName, context.Parameters.ToJson(), FaultState.Injecting,
                undo.ToJsonString(), ProcessIdentity.Current, now, context.ExpiresAt, now, null, null),
            cancellationToken).ConfigureAwait(false);

        IAsyncDisposable? handle;
        try
        {
            handle = await injector.ApplyAsync(context, undo, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await FailAsync(injector, context, undo, ex).ConfigureAwait(false);
            throw;
        }

        var live = new LiveFault(injector, undo, handle, new ActiveFault(context.FaultId, injector.Name, targetService, profileName,
            context.Parameters.Values, FaultState.Active, now, context.ExpiresAt, ProcessIdentity.Current) { TargetProcesses = context.Target.Processes });
        _live[context.FaultId] = live;
        await _journal.UpdateAsync([context.FaultId], FaultState.Active, _time.GetUtcNow(), undo.ToJsonString(), cancellationToken: CancellationToken.None).ConfigureAwait(false);
        var dueIn = context.ExpiresAt - _time.GetUtcNow();
        live.Expiry = _time.CreateTimer(_ => _ = RemoveSafelyAsync(context.FaultId, RemovalReason.Expired), null, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        var latency = Stopwatch.GetElapsedTime(started);
        LogInjected(context.FaultId, injector.Name, targetService, latency.TotalMilliseconds, context.Duration);
        Events.Publish(new FaultInjectedEvent(_time.GetUtcNow(), context.FaultId, injector.Name, targetService, context.ExpiresAt, latency));
        return context.FaultId;
    }

    /// <summary>
    /// Validates a request as <see cref="InjectFaultAsync(FaultRequest, CancellationToken)"/> would, without applying anything.
    /// </summary>
    /// <exception cref="ChaosValidationException">Every problem with the request.</exception>
    public FaultContext Validate(string injectorName, string targetService, string? profileName, IReadOnlyDictionary<string, object?>? parameters, TimeSpan? duration) =>
        BuildContext(injectorName, targetService, profileName, parameters ?? new Dictionary<string, object?>(), duration, out _);

    /// <summary>
    /// Checks a request before anything runs: fully for a local target, the form and agent name for
    /// <c>agent:NAME/SERVICE</c> (that agent validates the rest when the fault is sent).
    /// </summary>
    /// <exception cref="ChaosValidationException">Every problem with the request.</exception>
    public void Check(FaultRequest request)
    {
        if (AgentTarget(request.Target) is { } remote)
        {
            _ = (_agents ?? throw NoAgents(request.Target)).Parse(remote);
            return;
        }

        _ = Validate(request.Injector, request.Target, request.Profile, request.Parameters, request.Duration);
    }

    // A fault on another host: the agent journals and applies it and holds it under a lease this
    // engine renews (AgentRelay); nothing is journaled here, so a dead controller leaves nothing to revert.
    private async Task<string> InjectOnAgentAsync(FaultRequest request, long started, CancellationToken cancellationToken)
    {
        var id = await (_agents ?? throw NoAgents(request.Target)).InjectAsync(request, cancellationToken).ConfigureAwait(false);
        var latency = Stopwatch.GetElapsedTime(started);
        var expires = _time.GetUtcNow() + (request.Duration ?? _configuration.Global.DefaultFaultDuration);
        Events.Publish(new FaultInjectedEvent(_time.GetUtcNow(), id, request.Injector, request.Target, expires, latency));
        return id;
    }

    // agent:NAME/SERVICE as given, or a catalog entry of kind agent (host + service); null for a local target.
    private string? AgentTarget(string target) =>
        target.StartsWith("agent:", StringComparison.Ordinal) ? target
        : _configuration.Targets.TryGetValue(target, out var definition) && definition.Kind == TargetKind.Agent ? $"agent:{definition.Host}/{definition.Service}"
        : null;

    private static ChaosValidationException NoAgents(string target) =>
        new("target_service", target, "a local target: pid:N, name:PROCESS_NAME, docker:CONTAINER or a catalog service (no agents: are configured)");

    /// <summary>
    /// Removes a fault: this engine's directly, another engine's (or a dead one's) from its journal
    /// recipe. Returns false when no open fault has that id.
    /// </summary>
    public async Task<bool> RemoveFaultAsync(string faultId, CancellationToken cancellationToken = default)
    {
        if (_agents is not null && await _agents.RemoveAsync(faultId, cancellationToken).ConfigureAwait(false) is { } remote)
        {
            Events.Publish(new FaultRemovedEvent(_time.GetUtcNow(), faultId, remote.Injector, remote.Target, RemovalReason.Requested));
            return true;
        }

        if (_live.ContainsKey(faultId))
        {
            await RemoveLiveAsync(faultId, RemovalReason.Requested).ConfigureAwait(false);
            return true;
        }

        var entry = await _journal.GetAsync(faultId, cancellationToken).ConfigureAwait(false);
        if (entry is null || entry.State is FaultState.Removed or FaultState.Failed)
        {
            return false;
        }

        await FaultReconciler.RevertEntriesAsync(_journal, _injectors, [entry], RemovalReason.Requested, _time, _logger, Events, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Removes one of this engine's faults for <paramref name="reason"/>; false when it holds no such fault.</summary>
    public async Task<bool> RemoveFaultAsync(string faultId, RemovalReason reason)
    {
        if (!_live.ContainsKey(faultId))
        {
            return false;
        }

        await RemoveLiveAsync(faultId, reason).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Removes every open fault — this engine's and every other engine's in the journal — at once,
    /// and engages the safety lock (when the manager has one). Returns how many faults were removed.
    /// </summary>
    public async Task<int> EmergencyStopAsync(CancellationToken cancellationToken = default)
    {
        // Taken before the first await, so that it holds every fault live when the stop came: an
        // experiment aborted by the same stop may roll its own faults back before the lock is written.
        var liveAtStop = _live.Keys.ToList();
        var started = Stopwatch.GetTimestamp();
        if (_lock is not null)
        {
            await _lock.EngageAsync("emergency stop", cancellationToken).ConfigureAwait(false);
        }

        // Faults whose injection passed the lock just before it was engaged are removed as well.
        var mine = liveAtStop.Union(_live.Keys, StringComparer.Ordinal).ToList();
        var ownRemoval = RemoveManyLiveAsync(mine, RemovalReason.EmergencyStop);
        var others = (await _journal.ListOpenAsync(cancellationToken).ConfigureAwait(false))
            .Where(e => !_live.ContainsKey(e.FaultId) && !mine.Contains(e.FaultId))
            .ToList();
        var foreign = FaultReconciler.RevertEntriesAsync(_journal, _injectors, others, RemovalReason.EmergencyStop, _time, _logger, Events, cancellationToken);
        var remote = _agents?.EmergencyStopAsync(cancellationToken) ?? Task.FromResult(0);
        await Task.WhenAll(ownRemoval, foreign, remote).ConfigureAwait(false);
        var count = mine.Count + others.Count + await remote.ConfigureAwait(false);
        var took = Stopwatch.GetElapsedTime(started);
        LogEmergencyStop(count, took.TotalMilliseconds);
        Events.Publish(new EmergencyStopEvent(_time.GetUtcNow(), count, took));
        return count;
    }

    /// <summary>Drops faults that another process removed (through the journal) from this engine's list.</summary>
    public async Task SyncWithJournalAsync(CancellationToken cancellationToken = default)
    {
        foreach (var id in _live.Keys.ToList())
        {
            var entry = await _journal.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (entry is { State: FaultState.Removed or FaultState.Failed } && _live.TryRemove(id, out var live))
            {
                live.Expiry?.Dispose();
                await DisposeHandleAsync(live).ConfigureAwait(false);
                Events.Publish(new FaultRemovedEvent(_time.GetUtcNow(), id, live.Injector.Name, live.Snapshot.Target,
                    Enum.TryParse<RemovalReason>(entry.RemovalReason, out var reason) ? reason : RemovalReason.Requested));
            }
        }
    }

    /// <summary>Removes every fault this engine holds.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _journalSync.DisposeAsync().ConfigureAwait(false);
        if (_agents is not null)
        {
            await _agents.DisposeAsync().ConfigureAwait(false);
        }

        await RemoveManyLiveAsync(_live.Keys.ToList(), RemovalReason.Shutdown).ConfigureAwait(false);
        Helpers.HelperProcess.StopStandby();
    }

    private FaultContext BuildContext(string injectorName, string targetService, string? profileName, IReadOnlyDictionary<string, object?> parameters, TimeSpan? duration, out FaultInjector injector, int maxPercent = 100)
    {
        if (!_injectors.TryGetValue(injectorName ?? string.Empty, out var found))
        {
            throw new ChaosValidationException("injector_name", injectorName, "one of " + string.Join(", ", _injectors.Keys.Order(StringComparer.Ordinal)));
        }

        injector = found;
        var settings = _configuration.InjectorSettingsFor(injector.Name);
        if (!settings.Enabled)
        {
            throw new ChaosValidationException("injector_name", injectorName, $"an enabled injector (fault_injectors.{injector.Name}.enabled is false)");
        }

        var errors = new List<ValidationError>();
        FaultProfile? profile = null;
        if (profileName is not null && !injector.Profiles.TryGetValue(profileName, out profile))
        {
            errors.Add(new ValidationError("profile_name", profileName, injector.Profiles.Count == 0 ? $"no profile ({injector.Name} has none)" : "one of " + string.Join(", ", injector.Profiles.Keys)));
        }

        var values = FaultParameterValidator.Validate(injector, profile, parameters, settings, errors);
        var cap = settings.MaxDuration is { } own && own < _configuration.Global.MaxFaultDuration ? own : _configuration.Global.MaxFaultDuration;
        var capSource = settings.MaxDuration is { } o && o < _configuration.Global.MaxFaultDuration ? $"fault_injectors.{injector.Name}.max_duration" : "global.max_fault_duration";
        var length = duration ?? profile?.Duration ?? _configuration.Global.DefaultFaultDuration;
        if (length <= TimeSpan.Zero || length > cap)
        {
            errors.Add(new ValidationError("duration_seconds", length.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"more than 0 and at most {cap.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} seconds ({capSource})"));
        }

        ResolvedTarget? target = null;
        try
        {
            target = _targets.Resolve(targetService);
            if (maxPercent is < 1 or > 100)
            {
                errors.Add(new ValidationError("max_percent", maxPercent.ToString(System.Globalization.CultureInfo.InvariantCulture), "1 to 100"));
            }
            else if (maxPercent < 100)
            {
                // Blast radius: only the first share of the matched processes (at least one).
                var keep = Math.Max(1, (int)Math.Floor(target.Processes.Count * maxPercent / 100.0));
                target = target with { Processes = target.Processes.Take(keep).ToList() };
            }
        }
        catch (ChaosValidationException ex)
        {
            errors.AddRange(ex.Errors);
        }

        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }

        var now = _time.GetUtcNow();
        var context = new FaultContext
        {
            FaultId = NewFaultId(injector.Name),
            Target = target!,
            Parameters = values,
            Duration = length,
            ExpiresAt = now + length,
            Settings = settings,
            Configuration = _configuration,
            TimeProvider = _time,
            DataDirectory = _journal.Store.DataDirectory,
            Logger = _logger,
        };
        injector.Validate(context, errors);
        return errors.Count > 0 ? throw new ChaosValidationException(errors) : context;
    }

    private static string NewFaultId(string injector) => $"{injector}-{Guid.NewGuid().ToString("N")[..12]}";

    private async Task FailAsync(FaultInjector injector, FaultContext context, JsonObject undo, Exception error)
    {
        LogInjectFailed(context.FaultId, injector.Name, context.Target.Name, error.Message);
        try
        {
            await injector.RevertAsync(undo, RevertContextFor(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception revertError)
        {
            LogRevertFailed(context.FaultId, injector.Name, revertError.Message);
        }

        await _journal.UpdateAsync([context.FaultId], FaultState.Failed, _time.GetUtcNow(), undo.ToJsonString(), error: error.Message).ConfigureAwait(false);
        Events.Publish(new FaultFailedEvent(_time.GetUtcNow(), context.FaultId, injector.Name, context.Target.Name, error.Message));
    }

    private async Task RemoveSafelyAsync(string faultId, RemovalReason reason)
    {
        try
        {
            await RemoveLiveAsync(faultId, reason).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogRevertFailed(faultId, "?", ex.Message);
        }
    }

    private Task RemoveLiveAsync(string faultId, RemovalReason reason) => RemoveManyLiveAsync([faultId], reason);

    // Many at once share two journal transactions, which is what keeps an emergency stop of a
    // thousand faults fast: the effects are reverted in parallel between them.
    private async Task RemoveManyLiveAsync(IReadOnlyList<string> faultIds, RemovalReason reason)
    {
        var claimed = new List<LiveFault>();
        var waits = new List<Task>();
        foreach (var id in faultIds)
        {
            if (!_live.TryGetValue(id, out var live))
            {
                continue;
            }

            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var existing = Interlocked.CompareExchange(ref live.Removal, mine, null);
            if (existing is null)
            {
                claimed.Add(live);
            }
            else
            {
                waits.Add(existing.Task);
            }
        }

        if (claimed.Count > 0)
        {
            var ids = claimed.Select(l => l.Snapshot.FaultId).ToList();
            await _journal.UpdateAsync(ids, FaultState.Removing, _time.GetUtcNow()).ConfigureAwait(false);
            var results = await Task.WhenAll(claimed.Select(RevertLiveAsync)).ConfigureAwait(false);
            var removed = claimed.Where((_, i) => results[i] is null).Select(l => l.Snapshot.FaultId).ToList();
            if (removed.Count > 0)
            {
                await _journal.UpdateAsync(removed, FaultState.Removed, _time.GetUtcNow(), removalReason: reason.ToString()).ConfigureAwait(false);
            }

            for (var i = 0; i < claimed.Count; i++)
            {
                var live = claimed[i];
                var id = live.Snapshot.FaultId;
                if (results[i] is { } error)
                {
                    await _journal.UpdateAsync([id], FaultState.Failed, _time.GetUtcNow(), error: "removal failed: " + error).ConfigureAwait(false);
                    Events.Publish(new FaultFailedEvent(_time.GetUtcNow(), id, live.Injector.Name, live.Snapshot.Target, "removal failed: " + error));
                }
                else
                {
                    LogRemoved(id, live.Injector.Name, live.Snapshot.Target, reason);
                    Events.Publish(new FaultRemovedEvent(_time.GetUtcNow(), id, live.Injector.Name, live.Snapshot.Target, reason));
                }

                _live.TryRemove(id, out _);
                live.Removal!.TrySetResult();
            }
        }

        await Task.WhenAll(waits).ConfigureAwait(false);
    }

    private async Task<string?> RevertLiveAsync(LiveFault live)
    {
        live.Expiry?.Dispose();
        try
        {
            await DisposeHandleAsync(live).ConfigureAwait(false);
            await live.Injector.RevertAsync(live.Undo, RevertContextFor(), CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex)
        {
            LogRevertFailed(live.Snapshot.FaultId, live.Injector.Name, ex.Message);
            return ex.Message;
        }
    }

    private static async Task DisposeHandleAsync(LiveFault live)
    {
        if (live.Handle is { } handle)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task SyncWithJournalSafelyAsync()
    {
        if (_live.IsEmpty || _disposed != 0)
        {
            return;
        }

        try
        {
            await SyncWithJournalAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // The store closed under a shutting-down engine.
        }
    }

    private RevertContext RevertContextFor() => new() { TimeProvider = _time, Logger = _logger };

    private void ValidateConfiguration()
    {
        var errors = new List<ValidationError>();
        foreach (var (name, settings) in _configuration.FaultInjectors)
        {
            if (!_injectors.TryGetValue(name, out var injector))
            {
                errors.Add(new ValidationError($"fault_injectors.{name}", name, "an injector name: " + string.Join(", ", _injectors.Keys.Order(StringComparer.Ordinal)), _configuration.SourceFile));
                continue;
            }

            var capKeys = injector.Parameters.Where(p => p.CapKey is not null).Select(p => p.CapKey!).ToHashSet(StringComparer.Ordinal);
            foreach (var cap in settings.Caps.Keys.Where(k => !capKeys.Contains(k)))
            {
                settings.CapLocations.TryGetValue(cap, out var where);
                errors.Add(new ValidationError($"fault_injectors.{name}.{cap}", settings.Caps[cap].ToString(System.Globalization.CultureInfo.InvariantCulture),
                    capKeys.Count == 0 ? $"no caps ({name} has none; use enabled, max_duration)" : "a cap of " + name + ": " + string.Join(", ", capKeys.Order(StringComparer.Ordinal)), where));
            }
        }

        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }
    }

    private sealed class LiveFault(FaultInjector injector, JsonObject undo, IAsyncDisposable? handle, ActiveFault snapshot)
    {
        public FaultInjector Injector { get; } = injector;

        public JsonObject Undo { get; } = undo;

        public IAsyncDisposable? Handle { get; } = handle;

        public ActiveFault Snapshot { get; } = snapshot;

        public ITimer? Expiry { get; set; }

        public TaskCompletionSource? Removal;
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Injected {FaultId} ({Injector} on {Target}) in {LatencyMs:F1} ms for {Duration}")]
    private partial void LogInjected(string faultId, string injector, string target, double latencyMs, TimeSpan duration);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Removed {FaultId} ({Injector} on {Target}): {Reason}")]
    private partial void LogRemoved(string faultId, string injector, string target, RemovalReason reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Injecting {FaultId} ({Injector} on {Target}) failed: {Error}")]
    private partial void LogInjectFailed(string faultId, string injector, string target, string error);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "Reverting {FaultId} ({Injector}) failed: {Error}")]
    private partial void LogRevertFailed(string faultId, string injector, string error);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Emergency stop removed {Count} faults in {Milliseconds:F1} ms")]
    private partial void LogEmergencyStop(int count, double milliseconds);
}
