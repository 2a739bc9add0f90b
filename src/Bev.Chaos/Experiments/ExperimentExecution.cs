using Bev.Chaos.Events;
using Bev.Chaos.Faults;
using Bev.Chaos.Probes;
using Bev.Chaos.Safety;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Experiments;

/// <summary>
/// One experiment from approval to verdict: approval (when needed) → baseline → injection (faults
/// on their timeline, load, the safety watch) → rollback → recovery → validation. The rollback
/// always runs, whatever ended the experiment, before its result is made.
/// </summary>
internal sealed class ExperimentExecution
{
    private readonly ExperimentServices _services;
    private readonly ExperimentRun _run;
    private readonly CancellationToken _callerToken;
    private readonly bool _needsApproval;
    private readonly ExperimentState _state;
    private readonly SteadyStateProbing _probing;
    private readonly RollbackRunner _rollback;
    private readonly RecoveryWatcher _recovery;

    public ExperimentExecution(ExperimentServices services, ExperimentRun run, bool needsApproval, CancellationToken callerToken)
    {
        _services = services;
        _run = run;
        _needsApproval = needsApproval;
        _callerToken = callerToken;
        _state = new ExperimentState(run);
        _probing = new SteadyStateProbing(_state, services.Probes, services.Time);
        _rollback = new RollbackRunner(_state, services.Faults, services.Processes, services.Http, services.Time, services.Logger);
        _recovery = new RecoveryWatcher(_state, _probing, services.Configuration, services.Time);
    }

    private ExperimentConfig Config => _run.Config;

    private TimeProvider Time => _services.Time;

    public async Task<ExperimentResult> RunAsync()
    {
        using var timeout = new CancellationTokenSource(Config.Timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_callerToken, _run.AbortToken, timeout.Token);
        ExperimentVerdict verdict;
        try
        {
            verdict = await PhasesAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_state.Breach is { } breach)
        {
            verdict = Ended(ExperimentVerdict.Aborted, "safety breach: " + breach);
        }
        catch (OperationCanceledException) when (_run.AbortToken.IsCancellationRequested)
        {
            verdict = Ended(ExperimentVerdict.Aborted, "aborted: " + _run.AbortReason);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            verdict = Ended(ExperimentVerdict.Aborted, $"aborted: the experiment timeout ({Config.Timeout.TotalSeconds:0} s) passed");
        }
        catch (OperationCanceledException) when (_callerToken.IsCancellationRequested)
        {
            verdict = Ended(ExperimentVerdict.Interrupted, "interrupted");
        }
        catch (Exception ex) when (ex is SafetyLockException or ChaosValidationException or FeatureUnavailableException or InvalidOperationException)
        {
            verdict = Ended(ExperimentVerdict.Aborted, "aborted: " + ex.Message);
        }
        catch (Exception)
        {
            // Unforeseen (a failed write, a probe's transport): the faults still come out before it propagates.
            await _rollback.RunAsync().ConfigureAwait(false);
            throw;
        }

        // Whatever ended it: the faults come out (and the rollback steps run) before the result.
        var rolledBack = await _rollback.RunAsync().ConfigureAwait(false);
        return _state.ToResult(verdict, Time.GetUtcNow(), rolledBack, _recovery.Measurement, _services.Faults.MeasurementsOf);
    }

    private ExperimentVerdict Ended(ExperimentVerdict verdict, string reason)
    {
        _state.AddReason(reason);
        return verdict;
    }

    private async Task<ExperimentVerdict> PhasesAsync(CancellationToken token)
    {
        if (_needsApproval)
        {
            await PhaseAsync(ExperimentStatus.AwaitingApproval, () => _run.Approval.WaitAsync(token)).ConfigureAwait(false);
        }

        await _services.SafetyLock.ThrowIfEngagedAsync(token).ConfigureAwait(false);
        var baseline = await PhaseAsync(ExperimentStatus.Baseline, () => _probing.ForDurationAsync(Config.BaselineDuration, ExperimentStatus.Baseline, token)).ConfigureAwait(false);
        if (!_probing.Holds(baseline))
        {
            return Ended(ExperimentVerdict.Failed, $"the steady state did not hold before injection: {SteadyStateProbing.Describe(baseline)}");
        }

        var injectionStarted = Time.GetUtcNow();
        await PhaseAsync(ExperimentStatus.Injection, () => InjectAsync(token)).ConfigureAwait(false);
        await _rollback.RunAsync().ConfigureAwait(false);
        var duringFault = _probing.DuringFault(injectionStarted);
        var recovered = await PhaseAsync(ExperimentStatus.Recovery, () => _recovery.WatchAsync(token)).ConfigureAwait(false);
        if (!recovered)
        {
            return Ended(ExperimentVerdict.Failed, $"the targets were not healthy again within the recovery window ({Config.RecoveryWindow.TotalSeconds:0.#} s)");
        }

        var validation = await PhaseAsync(ExperimentStatus.Validation, () => _probing.ForDurationAsync(Config.ValidationDuration, ExperimentStatus.Validation, token)).ConfigureAwait(false);
        if (!_probing.Holds(validation))
        {
            return Ended(ExperimentVerdict.Failed, $"the steady state deviated after recovery: {SteadyStateProbing.Describe(validation)}");
        }

        if (!_probing.Holds(duringFault))
        {
            return Ended(ExperimentVerdict.Failed, $"a during_fault probe did not hold while the faults were active: {SteadyStateProbing.Describe(duringFault)}");
        }

        return Ended(ExperimentVerdict.Passed, Config.SteadyStateProbes.Count == 0
            ? "all faults applied and removed (no steady-state probes defined)"
            : $"the steady state held before and after; time to recover {_recovery.Measurement.TimeToRecover?.TotalMilliseconds:0} ms");
    }

    private async Task<T> PhaseAsync<T>(ExperimentStatus phase, Func<Task<T>> body)
    {
        _run.Status = phase;
        ExperimentLog.Phase(_services.Logger, _run.Id, Config.Name, phase);
        _services.Events.Publish(new ExperimentPhaseEvent(Time.GetUtcNow(), _run.Id, Config.Name, phase));
        var started = Time.GetUtcNow();
        try
        {
            return await body().ConfigureAwait(false);
        }
        finally
        {
            _state.AddPhase(new PhaseRecord(phase, started, Time.GetUtcNow()));
        }
    }

    private Task<bool> PhaseAsync(ExperimentStatus phase, Func<Task> body) =>
        PhaseAsync(phase, async () =>
        {
            await body().ConfigureAwait(false);
            return true;
        });

    private async Task InjectAsync(CancellationToken token)
    {
        using var injection = CancellationTokenSource.CreateLinkedTokenSource(token);
        var watch = SafetyWatchFor();
        var watching = watch.WatchAsync(injection);
        var probing = _probing.For(ExperimentStatus.Injection).Count > 0
            ? _probing.ForDurationAsync(Config.InjectionDuration, ExperimentStatus.Injection, injection.Token)
            : Task.FromResult(new List<ProbeResult>());
        var loads = new ExperimentLoad(_state, null, Time).RunAsync(injection.Token);
        try
        {
            await FaultTimelineAsync(injection.Token).ConfigureAwait(false);
        }
        finally
        {
            await injection.CancelAsync().ConfigureAwait(false);
            await SwallowCancellationAsync(watching).ConfigureAwait(false);
            await SwallowCancellationAsync(probing).ConfigureAwait(false);
            await SwallowCancellationAsync(loads).ConfigureAwait(false);
        }
    }

    // Each fault at its offset from the start of the injection phase, then the rest of the phase.
    private async Task FaultTimelineAsync(CancellationToken token)
    {
        var start = Time.GetTimestamp();
        foreach (var spec in Config.FaultInjections.OrderBy(f => f.Offset))
        {
            var wait = spec.Offset - Time.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Time, token).ConfigureAwait(false);
            }

            var id = await _services.Faults.InjectFaultAsync(new FaultRequest(spec.InjectorName, spec.TargetService, spec.ProfileName, spec.Parameters, spec.Duration, Config.MaxPercent), token).ConfigureAwait(false);
            _state.AddFault(new AppliedFault(id, spec.InjectorName, spec.TargetService, Time.GetUtcNow(), null));
        }

        var left = Config.InjectionDuration - Time.GetElapsedTime(start);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, Time, token).ConfigureAwait(false);
        }
    }

    private SafetyWatch SafetyWatchFor()
    {
        var configuration = _services.Configuration;
        var thresholds = Config.AbortConditions ?? configuration.Safety;
        var integration = configuration.Integration;
        var healthMonitor = integration.HealthMonitorUrl is { } url ? new HealthMonitorClient(url, _services.Http) : null;
        var monitor = new SafetyMonitor(thresholds, Time, configuration.Global.EmergencyStopThreshold, healthMonitor, integration.HealthMonitorUnreachable);
        return new SafetyWatch(_state, monitor, SafetyWatch.IntervalFor(Config, configuration), thresholds.AutoRollbackEnabled,
            _services.SafetyLock, _services.Events, _services.EmergencyStopAsync, Time, _services.Logger);
    }

    private static async Task SwallowCancellationAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
