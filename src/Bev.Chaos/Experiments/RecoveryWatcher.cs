using Bev.Chaos.Configuration;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Experiments;

/// <summary>What the recovery phase measured.</summary>
/// <param name="TimeToRecover">See <see cref="ExperimentResult.TimeToRecover"/>.</param>
/// <param name="AutoRecoveryResponseTime">See <see cref="ExperimentResult.AutoRecoveryResponseTime"/>.</param>
internal sealed record RecoveryMeasurement(TimeSpan? TimeToRecover, TimeSpan? AutoRecoveryResponseTime)
{
    public static RecoveryMeasurement None { get; } = new(null, null);
}

/// <summary>
/// The recovery phase: probe rounds every probe interval after the faults' removal until
/// <see cref="RecoveryTime.ConsecutiveHealthy"/> rounds in a row are healthy, at most the recovery
/// window. Healthy means every end/continuous steady-state probe, every faulted target's catalog
/// <c>health_url</c>, and the auto-recovery system (<c>integration.auto_recovery_url</c>) when one is
/// configured. Measures the time to recover and the auto-recovery system's response time.
/// </summary>
internal sealed class RecoveryWatcher(ExperimentState state, SteadyStateProbing probing, ChaosConfiguration configuration, TimeProvider time)
{
    private const string AutoRecovery = "auto-recovery";

    private ExperimentConfig Config => state.Run.Config;

    /// <summary>What it measured; <see cref="RecoveryMeasurement.None"/> until the phase ran.</summary>
    public RecoveryMeasurement Measurement { get; private set; } = RecoveryMeasurement.None;

    /// <summary>True when the targets recovered within the window.</summary>
    public async Task<bool> WatchAsync(CancellationToken token)
    {
        var probes = Probes();
        var removed = state.LastRemoval() ?? time.GetUtcNow();
        if (probes.Count == 0)
        {
            Measurement = new RecoveryMeasurement(TimeSpan.Zero, null);
            return true;
        }

        var rounds = new List<(DateTimeOffset Time, bool Healthy)>();
        DateTimeOffset? autoRecoveryHealthy = null;
        // Rounds are due at whole probe intervals from the phase's start (one periodic timer, so
        // a round slower than an interval is followed by the next one at once, and the schedule
        // never starts late because the clock moved between reading it and arming a delay).
        using var timer = new PeriodicTimer(Config.ProbeInterval, time);
        var started = time.GetTimestamp();
        for (var first = true; ; first = false)
        {
            if (!first && !await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                break;
            }

            if (time.GetElapsedTime(started) > Config.RecoveryWindow)
            {
                break;
            }

            var round = await probing.RoundAsync(probes, token).ConfigureAwait(false);
            rounds.Add((round.Min(r => r.Time), round.All(r => r.Success)));
            autoRecoveryHealthy ??= round.FirstOrDefault(r => r.Probe == AutoRecovery && r.Success)?.Time;
            if (RecoveryTime.RecoveredAt(rounds, removed, RecoveryTime.ConsecutiveHealthy) is not null)
            {
                Measurement = new RecoveryMeasurement(RecoveryTime.Measure(rounds, removed, RecoveryTime.ConsecutiveHealthy), Since(autoRecoveryHealthy, removed));
                return true;
            }
        }

        Measurement = new RecoveryMeasurement(null, Since(autoRecoveryHealthy, removed));
        return false;
    }

    private static TimeSpan? Since(DateTimeOffset? at, DateTimeOffset removed) =>
        at is { } t ? (t > removed ? t - removed : TimeSpan.Zero) : null;

    private List<ProbeDefinition> Probes()
    {
        var integration = configuration.Integration;
        var probes = probing.For(ExperimentStatus.Recovery);
        foreach (var target in Config.FaultInjections.Select(f => f.TargetService).Distinct(StringComparer.Ordinal))
        {
            if (configuration.Targets.TryGetValue(target, out var definition) && definition.HealthUrl is { } health)
            {
                probes.Add(new ProbeDefinition { Name = $"{target} health", Kind = ProbeKind.Http, Url = health });
            }
        }

        if (integration.AutoRecoveryUrl is { } recovery)
        {
            probes.Add(new ProbeDefinition
            {
                Name = AutoRecovery,
                Kind = ProbeKind.Http,
                Url = recovery,
                JsonPath = integration.AutoRecoveryJsonPath,
                JsonExpected = integration.AutoRecoveryJsonPath is null ? null : integration.AutoRecoveryExpected,
            });
        }

        return probes;
    }
}
