using Bev.Chaos.Load;
namespace Bev.Chaos.Resilience;

/// <summary>
/// Watches requests as they finish (in any order, from any thread) and says when the service has
/// been healthy for the sustained-success span after the faults' removal, so the recovery phase
/// can end early. The reported time to recover is computed afterwards from every sample, as
/// <see cref="Experiments.RecoveryTime"/> defines it (<see cref="ResilienceAnalysis.ConsecutiveHealthy"/>
/// requests in a row: those due in the same sustained span).
/// </summary>
internal sealed class RecoveryWatch(DateTimeOffset removed, double slowMs, TimeSpan sustained)
{
    private readonly Lock _lock = new();
    private DateTimeOffset _lastBad = removed;
    private DateTimeOffset _latestGood = DateTimeOffset.MinValue;

    public bool Observe(DateTimeOffset due, LoadSample sample)
    {
        lock (_lock)
        {
            if (sample.Failed || sample.LatencyMs > slowMs)
            {
                _lastBad = due > _lastBad ? due : _lastBad;
            }
            else if (due > _latestGood)
            {
                _latestGood = due;
            }

            return _latestGood - _lastBad >= sustained;
        }
    }
}
