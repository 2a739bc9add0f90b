using Bev.Chaos.Events;
using Prometheus;

namespace Bev.Chaos.Server;

/// <summary>
/// Prometheus metrics fed by the engine's event stream, plus the fault proxies' toxic counters read
/// at scrape time. One registry per server, so several servers in one process never mix.
/// </summary>
internal sealed class ChaosMetrics : IDisposable
{
    private readonly ChaosEventStream.Subscription _events;
    private readonly Task _pump;
    private readonly Counter _faultsInjected;
    private readonly Counter _faultsRemoved;
    private readonly Counter _faultsFailed;
    private readonly Counter _effectsLost;
    private readonly Histogram _injectLatency;
    private readonly Counter _experiments;
    private readonly Counter _breaches;
    private readonly Counter _emergencyStops;
    private readonly Histogram _restartDowntime;
    private readonly Histogram _recoveryTime;
    private readonly Histogram _autoRecoveryTime;
    private readonly Counter _rollbacks;
    private readonly Counter _faultEffects;
    private readonly Gauge _availabilityDuringFaults;
    private readonly Gauge _baselineAvailability;
    private readonly Gauge _latencyRatio;

    public ChaosMetrics(ChaosEngine engine)
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _faultsInjected = factory.CreateCounter("bev_chaos_faults_injected_total", "Faults injected, by injector.", "injector");
        _faultsRemoved = factory.CreateCounter("bev_chaos_faults_removed_total", "Faults removed, by injector and reason.", "injector", "reason");
        _effectsLost = factory.CreateCounter("bev_chaos_faults_effect_lost_total", "Active faults whose effect the engine, checking on the target once a second, found gone (a helper killed, a target resumed behind its back).", "injector");
        _faultsFailed = factory.CreateCounter("bev_chaos_faults_failed_total", "Faults that could not be injected or removed, by injector.", "injector");
        _injectLatency = factory.CreateHistogram("bev_chaos_inject_latency_seconds", "Time from request to the effect in place.", new HistogramConfiguration { LabelNames = ["injector"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });
        _experiments = factory.CreateCounter("bev_chaos_experiments_total", "Experiments finished, by verdict.", "verdict");
        _breaches = factory.CreateCounter("bev_chaos_safety_breaches_total", "Safety thresholds crossed, by threshold.", "threshold");
        _emergencyStops = factory.CreateCounter("bev_chaos_emergency_stops_total", "Emergency stops.");
        _restartDowntime = factory.CreateHistogram("bev_chaos_target_restart_downtime_seconds", "Managed target exit to restart.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.05, 2, 10) });
        _recoveryTime = factory.CreateHistogram("bev_chaos_experiment_recovery_seconds", "Time to recover: from an experiment's last fault removal to the first of its healthy observations that count as recovered.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.05, 2, 14) });
        _autoRecoveryTime = factory.CreateHistogram("bev_chaos_auto_recovery_response_seconds", "From an experiment's last fault removal until the auto-recovery system reported healthy.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.05, 2, 14) });
        _rollbacks = factory.CreateCounter("bev_chaos_experiment_rollbacks_total", "Experiments finished, by whether every fault removal and rollback step succeeded.", "rolled_back");
        _faultEffects = factory.CreateCounter("bev_chaos_fault_effect_total", "Experiment faults by whether the steady-state probes saw their effect (visible, not_visible, unobserved).", "injector", "effect");
        _baselineAvailability = factory.CreateGauge("bev_chaos_experiment_baseline_availability_ratio", "Successful share of an experiment's probes before its first fault, its last run.", "experiment");
        _availabilityDuringFaults = factory.CreateGauge("bev_chaos_experiment_availability_during_faults_ratio", "Successful share of an experiment's probes while a fault was in effect, its last run.", "experiment");
        _latencyRatio = factory.CreateGauge("bev_chaos_experiment_latency_ratio", "An experiment's median probe latency during faults over its baseline median, its last run.", "experiment");
        var active = factory.CreateGauge("bev_chaos_active_faults", "Faults in effect held by this engine.");
        var toxicConnections = factory.CreateGauge("bev_chaos_proxy_toxic_connections", "Connections a toxic applied to.", "proxy", "toxic");
        var toxicBytes = factory.CreateGauge("bev_chaos_proxy_toxic_bytes_delayed", "Bytes a toxic delayed.", "proxy", "toxic");
        var toxicResets = factory.CreateGauge("bev_chaos_proxy_toxic_resets", "Resets a toxic sent.", "proxy", "toxic");
        var toxicMatched = factory.CreateGauge("bev_chaos_proxy_toxic_matched", "Requests, commands or queries a protocol toxic's matchers selected.", "proxy", "toxic");
        var toxicAffected = factory.CreateGauge("bev_chaos_proxy_toxic_affected", "Matched requests, commands or queries a protocol toxic acted on (its toxicity drawn).", "proxy", "toxic");
        var proxyConnections = factory.CreateGauge("bev_chaos_proxy_connections", "Open connections through a proxy.", "proxy");
        var dropped = factory.CreateGauge("bev_chaos_events_dropped", "Events dropped because a subscriber (a /ws client) fell behind; the engine never waits for one.");
        Registry.AddBeforeCollectCallback(() =>
        {
            active.Set(engine.Faults.ActiveFaults.Count);
            dropped.Set(engine.Events.Dropped);
            foreach (var proxy in engine.Proxies.All)
            {
                proxyConnections.WithLabels(proxy.Name).Set(proxy.ConnectionCount);
                foreach (var (toxic, counters) in proxy.Counters)
                {
                    toxicConnections.WithLabels(proxy.Name, toxic).Set(counters.ConnectionsAffected);
                    toxicBytes.WithLabels(proxy.Name, toxic).Set(counters.BytesDelayed);
                    toxicResets.WithLabels(proxy.Name, toxic).Set(counters.Resets);
                    toxicMatched.WithLabels(proxy.Name, toxic).Set(counters.Matched);
                    toxicAffected.WithLabels(proxy.Name, toxic).Set(counters.Affected);
                }
            }
        });

        _events = engine.Events.Subscribe();
        _pump = PumpAsync();
    }

    public CollectorRegistry Registry { get; }

    private async Task PumpAsync()
    {
        await foreach (var e in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            switch (e)
            {
                case FaultInjectedEvent i:
                    _faultsInjected.WithLabels(i.InjectorName).Inc();
                    _injectLatency.WithLabels(i.InjectorName).Observe(i.InjectLatency.TotalSeconds);
                    break;
                case FaultRemovedEvent r:
                    _faultsRemoved.WithLabels(r.InjectorName, Label(r.Reason.ToString())).Inc();
                    break;
                case FaultFailedEvent f:
                    _faultsFailed.WithLabels(f.InjectorName).Inc();
                    break;
                case FaultEffectLostEvent l:
                    _effectsLost.WithLabels(l.InjectorName).Inc();
                    break;
                case ExperimentFinishedEvent x:
                    _experiments.WithLabels(Label(x.Verdict.ToString())).Inc();
                    _rollbacks.WithLabels(x.RolledBack ? "true" : "false").Inc();
                    if (x.TimeToRecover is { } recovered)
                    {
                        _recoveryTime.Observe(recovered.TotalSeconds);
                    }

                    if (x.AutoRecoveryResponseTime is { } answered)
                    {
                        _autoRecoveryTime.Observe(answered.TotalSeconds);
                    }

                    Impact(x.Name, x.Impact);

                    break;
                case SafetyBreachEvent b:
                    _breaches.WithLabels(b.Threshold).Inc();
                    break;
                case EmergencyStopEvent:
                    _emergencyStops.Inc();
                    break;
                case TargetRestartedEvent t:
                    _restartDowntime.Observe(t.Downtime.TotalSeconds);
                    break;
            }
        }
    }

    // Label values are spelled as /ws spells them: snake_case (emergency_stop, lease_expired).
    private void Impact(string experiment, Bev.Chaos.Experiments.ExperimentImpact impact)
    {
        foreach (var fault in impact.Faults)
        {
            _faultEffects.WithLabels(fault.InjectorName, Label(fault.Effect.ToString())).Inc();
        }

        // A measure the run did not have is left out rather than exported as a made-up zero.
        if (impact.BaselineAvailability is { } baseline)
        {
            _baselineAvailability.WithLabels(experiment).Set(baseline);
        }

        if (impact.AvailabilityDuringFaults is { } during)
        {
            _availabilityDuringFaults.WithLabels(experiment).Set(during);
        }

        if (impact.LatencyRatio is { } ratio)
        {
            _latencyRatio.WithLabels(experiment).Set(ratio);
        }
    }

    private static string Label(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    public void Dispose()
    {
        _events.Dispose();
        _pump.Wait(TimeSpan.FromSeconds(1));
    }
}
