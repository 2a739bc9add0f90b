using Bev.Chaos.Events;
using Bev.Chaos.Probes;
using Bev.Chaos.Safety;

namespace Bev.Chaos.Experiments;

public sealed partial class ChaosEngineer
{
    /// <summary>One experiment from approval to verdict; rollback in <c>finally</c>.</summary>
    private sealed class ExperimentExecution(ChaosEngineer engineer, ExperimentRun run, CancellationToken callerToken)
    {
        private readonly List<PhaseRecord> _phases = [];
        private readonly List<AppliedFault> _faults = [];
        private readonly List<ProbeResult> _probes = [];
        private readonly List<string> _reasons = [];
        private readonly Lock _gate = new();
        private SafetyBreach? _breach;
        private int _customRollbacksRun;
        private TimeSpan? _timeToRecover;
        private ExperimentConfig Config => run.Config;
        private TimeProvider Time => engineer._time;

        public async Task<ExperimentResult> RunAsync()
        {
            var verdict = ExperimentVerdict.Passed;
            using var timeout = new CancellationTokenSource(Config.Timeout, Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, run.AbortToken, timeout.Token);
            var token = linked.Token;
            var rolledBack = false;
            try
            {
                if (engineer.NeedsApproval(Config))
                {
                    await PhaseAsync(ExperimentStatus.AwaitingApproval, () => run.Approval.WaitAsync(token)).ConfigureAwait(false);
                }

                await engineer._lock.ThrowIfEngagedAsync(token).ConfigureAwait(false);
                var baseline = await PhaseAsync(ExperimentStatus.Baseline, () => ProbeForAsync(Config.BaselineDuration, ExperimentStatus.Baseline, token)).ConfigureAwait(false);
                if (!Holds(baseline))
                {
                    verdict = ExperimentVerdict.Failed;
                    _reasons.Add($"the steady state did not hold before injection: {Describe(baseline)}");
                    return Result(verdict, rolledBack: true);
                }

                var injectionStarted = Time.GetUtcNow();
                await PhaseAsync(ExperimentStatus.Injection, () => InjectAsync(token)).ConfigureAwait(false);
                rolledBack = await RollbackAsync().ConfigureAwait(false);
                var duringFault = DuringFaultResults(injectionStarted);
                var recovered = await PhaseAsync(ExperimentStatus.Recovery, () => RecoverAsync(token)).ConfigureAwait(false);
                if (!recovered)
                {
                    verdict = ExperimentVerdict.Failed;
                    _reasons.Add($"the targets were not healthy again within the recovery window ({Config.RecoveryWindow.TotalSeconds:0.#} s)");
                    return Result(verdict, rolledBack);
                }

                var validation = await PhaseAsync(ExperimentStatus.Validation, () => ProbeForAsync(Config.ValidationDuration, ExperimentStatus.Validation, token)).ConfigureAwait(false);
                if (!Holds(validation))
                {
                    verdict = ExperimentVerdict.Failed;
                    _reasons.Add($"the steady state deviated after recovery: {Describe(validation)}");
                }
                else if (!Holds(duringFault))
                {
                    verdict = ExperimentVerdict.Failed;
                    _reasons.Add($"a during_fault probe did not hold while the faults were active: {Describe(duringFault)}");
                }
                else
                {
                    _reasons.Add(Config.SteadyStateProbes.Count == 0
                        ? "all faults applied and removed (no steady-state probes defined)"
                        : $"the steady state held before and after; time to recover {MeasureTimeToRecover()?.TotalMilliseconds:0} ms");
                }

                return Result(verdict, rolledBack);
            }
            catch (OperationCanceledException) when (_breach is not null)
            {
                _reasons.Add("safety breach: " + _breach);
                return Result(ExperimentVerdict.Aborted, await RollbackAsync().ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (run.AbortToken.IsCancellationRequested)
            {
                _reasons.Add("aborted: " + run.AbortReason);
                return Result(ExperimentVerdict.Aborted, await RollbackAsync().ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                _reasons.Add($"aborted: the experiment timeout ({Config.Timeout.TotalSeconds:0} s) passed");
                return Result(ExperimentVerdict.Aborted, await RollbackAsync().ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (callerToken.IsCancellationRequested)
            {
                _reasons.Add("interrupted");
                return Result(ExperimentVerdict.Interrupted, await RollbackAsync().ConfigureAwait(false));
            }
            catch (SafetyLockException ex)
            {
                _reasons.Add("aborted: " + ex.Message);
                return Result(ExperimentVerdict.Aborted, await RollbackAsync().ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is ChaosValidationException or FeatureUnavailableException or InvalidOperationException)
            {
                _reasons.Add("aborted: " + ex.Message);
                return Result(ExperimentVerdict.Aborted, await RollbackAsync().ConfigureAwait(false));
            }
            finally
            {
                await RollbackAsync().ConfigureAwait(false);
            }
        }

        private async Task<T> PhaseAsync<T>(ExperimentStatus phase, Func<Task<T>> body)
        {
            run.Status = phase;
            engineer.LogPhase(run.Id, Config.Name, phase);
            engineer._faults.Events.Publish(new ExperimentPhaseEvent(Time.GetUtcNow(), run.Id, Config.Name, phase));
            var started = Time.GetUtcNow();
            try
            {
                return await body().ConfigureAwait(false);
            }
            finally
            {
                _phases.Add(new PhaseRecord(phase, started, Time.GetUtcNow()));
            }
        }

        private Task<bool> PhaseAsync(ExperimentStatus phase, Func<Task> body) =>
            PhaseAsync(phase, async () =>
            {
                await body().ConfigureAwait(false);
                return true;
            });

        /// <summary>Probe rounds every interval for <paramref name="duration"/>; returns the results.</summary>
        private async Task<List<ProbeResult>> ProbeForAsync(TimeSpan duration, ExperimentStatus phase, CancellationToken token)
        {
            var results = new List<ProbeResult>();
            var probes = ProbesFor(phase);
            if (probes.Count == 0)
            {
                await Task.Delay(duration, Time, token).ConfigureAwait(false);
                return results;
            }

            var end = Time.GetTimestamp() + (long)(duration.TotalSeconds * Time.TimestampFrequency);
            do
            {
                results.AddRange(await RoundAsync(probes, token).ConfigureAwait(false));
                await Task.Delay(Config.ProbeInterval, Time, token).ConfigureAwait(false);
            }
            while (Time.GetTimestamp() < end);
            return results;
        }

        // A probe's mode says in which phases it counts: start = baseline, end = recovery and
        // validation, during_fault = injection, continuous = all of them.
        private List<ProbeDefinition> ProbesFor(ExperimentStatus phase) =>
            Config.SteadyStateProbes.Where(p => p.Mode switch
            {
                ProbeMode.Start => phase == ExperimentStatus.Baseline,
                ProbeMode.End => phase is ExperimentStatus.Recovery or ExperimentStatus.Validation,
                ProbeMode.DuringFault => phase == ExperimentStatus.Injection,
                _ => true,
            }).ToList();

        private async Task<ProbeResult[]> RoundAsync(IReadOnlyList<ProbeDefinition> probes, CancellationToken token)
        {
            var round = await Task.WhenAll(probes.Select(p => engineer._probes.RunAsync(p, token))).ConfigureAwait(false);
            lock (_gate)
            {
                _probes.AddRange(round);
            }

            return round;
        }

        private async Task InjectAsync(CancellationToken token)
        {
            using var injection = CancellationTokenSource.CreateLinkedTokenSource(token);
            var monitor = MonitorAsync(injection);
            var probing = ProbesFor(ExperimentStatus.Injection).Count > 0 ? ProbeForAsync(Config.InjectionDuration, ExperimentStatus.Injection, injection.Token) : Task.FromResult(new List<ProbeResult>());
            var loads = Task.WhenAll(Config.Loads.Select(l => LoadAsync(l, injection.Token)));
            try
            {
                var start = Time.GetTimestamp();
                foreach (var spec in Config.FaultInjections.OrderBy(f => f.Offset))
                {
                    var wait = spec.Offset - Time.GetElapsedTime(start);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, Time, injection.Token).ConfigureAwait(false);
                    }

                    var id = await engineer._faults.InjectFaultAsync(new Faults.FaultRequest(spec.Injector, spec.Target, spec.Profile, spec.Parameters, spec.Duration, Config.MaxPercent), injection.Token).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _faults.Add(new AppliedFault(id, spec.Injector, spec.Target, Time.GetUtcNow(), null));
                        run.ActiveFaultIds = _faults.Where(f => f.RemovedAt is null).Select(f => f.FaultId).ToList();
                    }
                }

                var left = Config.InjectionDuration - Time.GetElapsedTime(start);
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left, Time, injection.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                await injection.CancelAsync().ConfigureAwait(false);
                await SwallowCancellationAsync(monitor).ConfigureAwait(false);
                await SwallowCancellationAsync(probing).ConfigureAwait(false);
                await SwallowCancellationAsync(loads).ConfigureAwait(false);
            }
        }

        // Open-loop: one request every 1/rate, whatever the answers; at most 64 in flight, the
        // rest counted as failures (the target could not keep up), so the load is bounded.
        private async Task LoadAsync(LoadSpec load, CancellationToken token)
        {
            await Task.Delay(load.Offset, Time, token).ConfigureAwait(false);
            var probe = new ProbeDefinition { Name = "load " + load.Url, Kind = ProbeKind.Http, Url = load.Url, Timeout = TimeSpan.FromSeconds(2) };
            var interval = TimeSpan.FromSeconds(1 / load.Rate);
            var count = (long)(load.Duration.TotalSeconds * load.Rate);
            var inFlight = 0;
            var requests = new List<Task>();
            var start = Time.GetTimestamp();
            for (long i = 0; i < count && !token.IsCancellationRequested; i++)
            {
                var due = interval * i - Time.GetElapsedTime(start);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, Time, token).ConfigureAwait(false);
                }

                if (Interlocked.Increment(ref inFlight) > 64)
                {
                    Interlocked.Decrement(ref inFlight);
                    lock (_gate)
                    {
                        _probes.Add(new ProbeResult(probe.Name, Time.GetUtcNow(), false, TimeSpan.Zero, "dropped: 64 requests already waiting"));
                    }

                    continue;
                }

                requests.Add(Task.Run(async () =>
                {
                    var result = await engineer._probes.RunAsync(probe, token).ConfigureAwait(false);
                    Interlocked.Decrement(ref inFlight);
                    lock (_gate)
                    {
                        _probes.Add(result);
                    }
                }, token));
            }

            await Task.WhenAll(requests).ConfigureAwait(false);
        }

        // Every safety_monitoring_interval: the thresholds over the probes since the last check, and
        // the safety lock (an emergency stop from another process engages it).
        private async Task MonitorAsync(CancellationTokenSource injection)
        {
            var integration = engineer._configuration.Integration;
            var monitor = new SafetyMonitor(Config.AbortConditions ?? engineer._configuration.Safety, Time, engineer._configuration.Global.EmergencyStopThreshold,
                integration.HealthMonitorUrl is { } url ? new HealthMonitorClient(url, engineer._http) : null);
            var seen = 0;
            while (!injection.IsCancellationRequested)
            {
                await Task.Delay(engineer._configuration.Safety.SafetyMonitoringInterval, Time, injection.Token).ConfigureAwait(false);
                List<ProbeResult> recent;
                lock (_gate)
                {
                    recent = _probes.Skip(seen).ToList();
                    seen = _probes.Count;
                }

                if (await engineer._lock.GetAsync(injection.Token).ConfigureAwait(false) is not null)
                {
                    run.Abort("emergency stop (safety lock engaged)");
                    return;
                }

                var breach = await monitor.CheckAsync(recent, injection.Token).ConfigureAwait(false);
                if (breach?.Threshold == SafetyMonitor.EmergencyStopThreshold)
                {
                    // Too many targets down: not this experiment's problem alone — stop everything.
                    _breach = breach;
                    engineer.LogBreach(run.Id, breach);
                    engineer._faults.Events.Publish(new SafetyBreachEvent(breach.Time, run.Id, breach.Threshold, breach.Observed, breach.Limit));
                    _ = engineer.EmergencyStopAsync(CancellationToken.None);
                    await injection.CancelAsync().ConfigureAwait(false);
                    return;
                }

                if (breach is not null && (Config.AbortConditions ?? engineer._configuration.Safety).AutoRollbackEnabled)
                {
                    _breach = breach;
                    engineer.LogBreach(run.Id, breach);
                    engineer._faults.Events.Publish(new SafetyBreachEvent(breach.Time, run.Id, breach.Threshold, breach.Observed, breach.Limit));
                    await injection.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }

        // Healthy again means: every steady-state probe, every target's catalog health_url, and the
        // auto-recovery system (integration.auto_recovery_url) when one is configured.
        private IReadOnlyList<ProbeDefinition> RecoveryProbes()
        {
            var integration = engineer._configuration.Integration;
            var probes = ProbesFor(ExperimentStatus.Recovery);
            foreach (var target in Config.FaultInjections.Select(f => f.Target).Distinct(StringComparer.Ordinal))
            {
                if (engineer._configuration.Targets.TryGetValue(target, out var definition) && definition.HealthUrl is { } health)
                {
                    probes.Add(new ProbeDefinition { Name = $"{target} health", Kind = ProbeKind.Http, Url = health });
                }
            }

            if (integration.AutoRecoveryUrl is { } recovery)
            {
                probes.Add(new ProbeDefinition
                {
                    Name = "auto-recovery",
                    Kind = ProbeKind.Http,
                    Url = recovery,
                    JsonPath = integration.AutoRecoveryJsonPath,
                    JsonExpected = integration.AutoRecoveryJsonPath is null ? null : integration.AutoRecoveryExpected,
                });
            }

            return probes;
        }

        private async Task<bool> RecoverAsync(CancellationToken token)
        {
            var probes = RecoveryProbes();
            if (probes.Count == 0)
            {
                _timeToRecover = TimeSpan.Zero;
                return true;
            }

            var started = Time.GetTimestamp();
            while (Time.GetElapsedTime(started) <= Config.RecoveryWindow)
            {
                var round = await Task.WhenAll(probes.Select(p => engineer._probes.RunAsync(p, token))).ConfigureAwait(false);
                lock (_gate)
                {
                    _probes.AddRange(round);
                }

                if (round.All(r => r.Success))
                {
                    _timeToRecover = Time.GetElapsedTime(started);
                    return true;
                }

                await Task.Delay(Config.ProbeInterval, Time, token).ConfigureAwait(false);
            }

            return false;
        }

        /// <summary>Removes every fault of this experiment still in effect. Idempotent; never throws.</summary>
        private async Task<bool> RollbackAsync()
        {
            List<AppliedFault> open;
            lock (_gate)
            {
                open = _faults.Where(f => f.RemovedAt is null).ToList();
            }

            var live = engineer._faults.ActiveFaults.Select(f => f.FaultId).ToHashSet(StringComparer.Ordinal);
            foreach (var fault in open)
            {
                if (live.Contains(fault.FaultId))
                {
                    try
                    {
                        await engineer._faults.RemoveFaultAsync(fault.FaultId, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or IOException)
                    {
                        _reasons.Add($"rollback of {fault.FaultId} failed: {ex.Message}");
                    }
                }

                lock (_gate)
                {
                    _faults[_faults.IndexOf(fault)] = fault with { RemovedAt = Time.GetUtcNow() };
                }
            }

            run.ActiveFaultIds = [];
            if (Interlocked.Exchange(ref _customRollbacksRun, 1) == 0)
            {
                foreach (var action in Config.Rollbacks)
                {
                    if (await RunRollbackAsync(action).ConfigureAwait(false) is { } failure)
                    {
                        _reasons.Add($"rollback {action.Name} failed: {failure}");
                    }
                }
            }

            return true;
        }

        private async Task<string?> RunRollbackAsync(RollbackAction action)
        {
            using var timeout = new CancellationTokenSource(action.Timeout, Time);
            try
            {
                if (action.Url is { } url)
                {
                    using var request = new HttpRequestMessage(new HttpMethod(action.Method), url);
                    using var response = await engineer._http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                    return response.IsSuccessStatusCode ? null : $"status {(int)response.StatusCode}";
                }

                var info = new System.Diagnostics.ProcessStartInfo(action.Command![0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var argument in action.Command.Skip(1))
                {
                    info.ArgumentList.Add(argument);
                }

                using var process = System.Diagnostics.Process.Start(info)!;
                var drain = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var errors = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                await drain.ConfigureAwait(false);
                return process.ExitCode == 0 ? null : $"exit {process.ExitCode}: {(await errors.ConfigureAwait(false)).Trim()}";
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.ComponentModel.Win32Exception or IOException)
            {
                return ex.Message;
            }
        }

        private List<ProbeResult> DuringFaultResults(DateTimeOffset injectionStarted)
        {
            var names = Config.SteadyStateProbes.Where(p => p.Mode == ProbeMode.DuringFault).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            lock (_gate)
            {
                return _probes.Where(r => names.Contains(r.Probe) && r.Time >= injectionStarted).ToList();
            }
        }

        private bool Holds(List<ProbeResult> results) =>
            results.Count == 0 || results.Count(r => r.Success) >= Config.SteadyStateTolerance * results.Count;

        private static string Describe(List<ProbeResult> results)
        {
            var failed = results.Where(r => !r.Success).ToList();
            return $"{results.Count - failed.Count} of {results.Count} probes succeeded" + (failed.Count > 0 ? $" (e.g. {failed[0].Probe}: {failed[0].Detail})" : string.Empty);
        }

        // From the first failing probe after injection began to the first success after the last
        // failure: the outage the targets' users saw, whatever brought them back (the supervisor,
        // their own recovery, or the fault's removal).
        private TimeSpan? MeasureTimeToRecover()
        {
            var injection = _phases.FirstOrDefault(p => p.Phase == ExperimentStatus.Injection);
            if (injection is null || _probes.Count == 0)
            {
                return _timeToRecover;
            }

            var after = _probes.Where(p => p.Time >= injection.Started).OrderBy(p => p.Time).ToList();
            var firstFailure = after.FirstOrDefault(p => !p.Success);
            if (firstFailure is null)
            {
                return TimeSpan.Zero;
            }

            var lastFailure = after.Last(p => !p.Success);
            var recovered = after.FirstOrDefault(p => p.Success && p.Time > lastFailure.Time);
            return recovered is null ? null : recovered.Time - firstFailure.Time;
        }

        private ExperimentResult Result(ExperimentVerdict verdict, bool rolledBack)
        {
            lock (_gate)
            {
                return new ExperimentResult
                {
                    ExperimentId = run.Id,
                    Name = Config.Name,
                    Verdict = verdict,
                    Reasons = [.. _reasons],
                    Started = run.Started,
                    Ended = Time.GetUtcNow(),
                    Phases = [.. _phases],
                    Faults = [.. _faults],
                    ProbeResults = [.. _probes],
                    Breach = _breach,
                    TimeToRecover = MeasureTimeToRecover(),
                    RolledBack = rolledBack,
                };
            }
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
}
