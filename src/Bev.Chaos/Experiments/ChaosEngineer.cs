using System.Collections.Concurrent;
using Bev.Chaos.Configuration;
using Bev.Chaos.Events;
using Bev.Chaos.Faults;
using Bev.Chaos.Persistence;
using Bev.Chaos.Probes;
using Bev.Chaos.Safety;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bev.Chaos.Experiments;

/// <summary>
/// Runs experiments: baseline (the steady state must hold) → injection (faults on their timeline,
/// the safety monitor watching) → recovery (faults removed, targets healthy again within the
/// window) → validation (the steady state holds again). Rollback — removing every fault of the
/// experiment — always runs, whatever the outcome. Emergency stop aborts every experiment, removes
/// every fault and engages the safety lock.
/// </summary>
public sealed class ChaosEngineer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ExperimentRun> _runs = new(StringComparer.Ordinal);
    private readonly ChaosConfiguration _configuration;
    private readonly FaultInjectionManager _faults;
    private readonly SafetyLock _lock;
    private readonly ExperimentStore? _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly ExperimentServices _services;

    /// <summary>An engineer over the engine's parts; <see cref="ChaosEngine"/> makes one for its own use.</summary>
    /// <param name="configuration">The validated configuration: concurrency, approvals, safety thresholds, the catalog.</param>
    /// <param name="faults">The fault manager every fault of an experiment goes through.</param>
    /// <param name="safetyLock">Engaged by an emergency stop; no experiment injects while it is.</param>
    /// <param name="probes">Runs the steady-state probes.</param>
    /// <param name="store">Where finished results are saved; null: they are not.</param>
    /// <param name="timeProvider">The clock (a fake one in tests); null: the system clock.</param>
    /// <param name="loggerFactory">Where phases, breaches and verdicts are logged; null: nowhere.</param>
    public ChaosEngineer(ChaosConfiguration configuration, FaultInjectionManager faults, SafetyLock safetyLock, ProbeRunner probes, ExperimentStore? store = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        _configuration = configuration;
        _faults = faults;
        _lock = safetyLock;
        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ChaosEngineer>();
        _slots = new SemaphoreSlim(configuration.Global.MaxConcurrentExperiments);
        _services = new ExperimentServices(configuration, faults, safetyLock, probes, new ProcessRunner(_time), _http, faults.Events, EmergencyStopAsync, _time, _logger);
    }

    /// <summary>The fault manager experiments inject through.</summary>
    public FaultInjectionManager Faults => _faults;

    /// <summary>Experiments in flight.</summary>
    public IReadOnlyCollection<ExperimentRun> Running => _runs.Values.OrderBy(r => r.Started).ToList();

    /// <summary>Reverts what dead engines left behind.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _faults.InitializeAsync(cancellationToken);

    /// <summary>Approves an experiment waiting for approval; false when no such experiment waits.</summary>
    public bool Approve(string experimentId)
    {
        if (!_runs.TryGetValue(experimentId, out var run) || run.Status != ExperimentStatus.AwaitingApproval)
        {
            return false;
        }

        run.Approve();
        return true;
    }

    /// <summary>Aborts one experiment (its faults are rolled back); false when it is not running.</summary>
    public bool Stop(string experimentId, string reason = "stopped on request")
    {
        if (!_runs.TryGetValue(experimentId, out var run))
        {
            return false;
        }

        run.Abort(reason);
        return true;
    }

    /// <summary>Aborts every experiment, removes every fault, engages the safety lock. Returns the faults removed.</summary>
    public async Task<int> EmergencyStopAsync(CancellationToken cancellationToken = default)
    {
        // Started first: the fault manager notes the live faults before its first await, so faults
        // that an aborted run rolls back itself still count as removed by this stop.
        var removal = _faults.EmergencyStopAsync(cancellationToken);
        await _lock.EngageAsync("emergency stop", cancellationToken).ConfigureAwait(false);
        foreach (var run in _runs.Values)
        {
            run.Abort("emergency stop");
        }

        return await removal.ConfigureAwait(false);
    }

    /// <summary>Releases the safety lock so faults may be injected again.</summary>
    public Task ReleaseSafetyLockAsync(CancellationToken cancellationToken = default) => _lock.ReleaseAsync(cancellationToken);

    /// <summary>Runs an experiment to its verdict. Throws only for invalid input or a refusal before it starts.</summary>
    /// <exception cref="ChaosValidationException">Every problem with the experiment; nothing ran.</exception>
    /// <exception cref="ExperimentRefusedException">Too many experiments running, or not allowed in production mode.</exception>
    public Task<ExperimentResult> RunExperimentAsync(ExperimentConfig config, CancellationToken cancellationToken = default) =>
        StartExperiment(config, cancellationToken).Completion;

    /// <summary>
    /// Validates and starts an experiment, returning at once with its run (id, status); the run's
    /// <see cref="ExperimentRun.Completion"/> ends with the verdict.
    /// </summary>
    /// <exception cref="ChaosValidationException">Every problem with the experiment; nothing ran.</exception>
    /// <exception cref="ExperimentRefusedException">Too many experiments running, or not allowed in production mode.</exception>
    public ExperimentRun StartExperiment(ExperimentConfig config, CancellationToken cancellationToken = default)
    {
        // A probe or load that names a target (not a URL) uses that target's catalog health_url.
        config = config with
        {
            SteadyStateProbes = [.. config.SteadyStateProbes.Select(p => p.ForCatalog(_configuration.Targets))],
            Loads = [.. config.Loads.Select(l => l.ForCatalog(_configuration.Targets))],
        };
        ExperimentValidator.Validate(config, _faults, _configuration.Targets);
        if (_configuration.Safety.ProductionMode && config.SafetyLevel > SafetyLevel.Medium && !_configuration.Safety.RequireApprovalForCritical)
        {
            throw new ExperimentRefusedException($"production_mode forbids experiments above safety level Medium ('{config.Name}' is {config.SafetyLevel}) unless approval is required and given");
        }

        if (!_slots.Wait(0, CancellationToken.None))
        {
            throw new ExperimentRefusedException($"{_configuration.Global.MaxConcurrentExperiments} experiments are running (global.max_concurrent_experiments)");
        }

        var run = new ExperimentRun($"exp-{Guid.NewGuid().ToString("N")[..12]}", config, _time.GetUtcNow());
        _runs[run.Id] = run;
        run.Completion = RunAsync(run, cancellationToken);
        return run;
    }

    /// <summary>A running experiment by id, or null.</summary>
    public ExperimentRun? GetRun(string experimentId) => _runs.GetValueOrDefault(experimentId);

    private async Task<ExperimentResult> RunAsync(ExperimentRun run, CancellationToken cancellationToken)
    {
        try
        {
            // No yield before the first phase: its timers exist by the time StartExperiment returns.
            var execution = new ExperimentExecution(_services, run, NeedsApproval(run.Config), cancellationToken);
            var result = await execution.RunAsync().ConfigureAwait(false);
            if (_store is not null)
            {
                await _store.SaveAsync(result, CancellationToken.None).ConfigureAwait(false);
            }

            ExperimentLog.Finished(_logger, result.ExperimentId, result.Name, result.Verdict, string.Join("; ", result.Reasons));
            _faults.Events.Publish(new ExperimentFinishedEvent(_time.GetUtcNow(), result.ExperimentId, result.Name, result.Verdict, result.Reasons)
            {
                TimeToRecover = result.TimeToRecover,
                AutoRecoveryResponseTime = result.AutoRecoveryResponseTime,
                RolledBack = result.RolledBack,
                Impact = result.Impact,
            });
            return result;
        }
        finally
        {
            _runs.TryRemove(run.Id, out _);
            _slots.Release();
        }
    }

    /// <summary>Aborts every experiment still running (each rolls back its faults), without waiting for them.</summary>
    public ValueTask DisposeAsync()
    {
        foreach (var run in _runs.Values)
        {
            run.Abort("engine shutting down");
        }

        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private bool NeedsApproval(ExperimentConfig config) =>
        (config.SafetyLevel == SafetyLevel.Critical && _configuration.Safety.RequireApprovalForCritical)
        || (_configuration.Safety.ProductionMode && config.SafetyLevel > SafetyLevel.Medium);
}

/// <summary>An experiment refused before it started (concurrency limit, production mode).</summary>
public sealed class ExperimentRefusedException(string message) : InvalidOperationException(message);
