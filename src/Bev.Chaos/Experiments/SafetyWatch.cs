using Bev.Chaos.Events;
using Bev.Chaos.Safety;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Experiments;

/// <summary>
/// The safety loop of an experiment's injection phase: one sample every <see cref="Interval"/>
/// (see <see cref="IntervalFor"/>) — the safety lock (an emergency stop from another process
/// engages it), then the thresholds over the probe results since the previous sample. A breach
/// cancels the injection; one over <c>emergency_stop_threshold</c> also stops everything.
/// </summary>
internal sealed class SafetyWatch(
    ExperimentState state,
    SafetyMonitor monitor,
    TimeSpan interval,
    bool autoRollback,
    SafetyLock safetyLock,
    ChaosEventStream events,
    Func<CancellationToken, Task<int>> emergencyStopAsync,
    TimeProvider time,
    ILogger logger)
{
    private int _samples;

    /// <summary>Time between two samples.</summary>
    public TimeSpan Interval => interval;

    /// <summary>Samples taken so far.</summary>
    public int Samples => Volatile.Read(ref _samples);

    /// <summary>
    /// The sampling interval of an experiment: its own <c>abort_conditions.safety_monitoring_interval</c>
    /// when it has abort conditions; otherwise the shorter of <c>global.safety_check_interval</c> and
    /// <c>safety.safety_monitoring_interval</c> (both ask for checks at least that often).
    /// </summary>
    public static TimeSpan IntervalFor(ExperimentConfig experiment, Configuration.ChaosConfiguration configuration) =>
        experiment.AbortConditions?.SafetyMonitoringInterval
        ?? TimeSpan.FromTicks(Math.Min(configuration.Global.SafetyCheckInterval.Ticks, configuration.Safety.SafetyMonitoringInterval.Ticks));

    /// <summary>Samples until <paramref name="injection"/> is cancelled, or cancels it on a breach.</summary>
    public async Task WatchAsync(CancellationTokenSource injection)
    {
        // One periodic timer from the start: samples are due at whole multiples of the interval,
        // so a slow sample does not shift the ones after it, and ticks missed meanwhile collapse
        // into one. (A delay computed after each sample would start late whenever the clock moved
        // between reading it and arming the delay.)
        using var timer = new PeriodicTimer(interval, time);
        var seen = 0;
        while (!injection.IsCancellationRequested)
        {
            if (!await timer.WaitForNextTickAsync(injection.Token).ConfigureAwait(false))
            {
                return;
            }

            Interlocked.Increment(ref _samples);
            if (await safetyLock.GetAsync(injection.Token).ConfigureAwait(false) is not null)
            {
                state.Run.Abort("emergency stop (safety lock engaged)");
                return;
            }

            (var recent, seen) = state.ProbesSince(seen);
            var breach = await monitor.CheckAsync(recent, injection.Token).ConfigureAwait(false);
            if (breach is null)
            {
                continue;
            }

            var emergency = breach.Threshold == SafetyMonitor.EmergencyStopThreshold;
            if (!emergency && !autoRollback)
            {
                continue;
            }

            state.TrySetBreach(breach);
            ExperimentLog.Breach(logger, state.Run.Id, breach);
            events.Publish(new SafetyBreachEvent(breach.Time, state.Run.Id, breach.Threshold, breach.Observed, breach.Limit));
            if (emergency)
            {
                // Too many targets down: not this experiment's problem alone — stop everything.
                _ = emergencyStopAsync(CancellationToken.None);
            }

            await injection.CancelAsync().ConfigureAwait(false);
            return;
        }
    }
}
