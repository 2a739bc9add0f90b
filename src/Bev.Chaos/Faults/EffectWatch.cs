using Bev.Chaos.Events;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Faults;

/// <summary>
/// Once a second, asks each active fault this engine holds whether its effect is still there
/// (<see cref="FaultInjector.EffectLost"/>): a fault whose helper was killed, or whose target was
/// resumed behind its back, is marked — its journal entry's <c>error</c> says what was lost, a
/// <see cref="FaultEffectLostEvent"/> goes out, a warning is logged — once, and stays listed until
/// it ends, so no listing says active with nothing behind it unremarked.
/// </summary>
internal sealed partial class EffectWatch : IAsyncDisposable
{
    public const string Prefix = "effect lost: ";

    private readonly FaultTransitions _journal;
    private readonly LiveFaultRegistry _live;
    private readonly ChaosEventStream _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private int _running;

    public EffectWatch(FaultTransitions journal, LiveFaultRegistry live, ChaosEventStream events, TimeProvider time, ILogger logger)
    {
        (_journal, _live, _events, _time, _logger) = (journal, live, events, time, logger);
        _timer = time.CreateTimer(_ => _ = LookSafelyAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Looks at every live fault once; returns how many were newly marked.</summary>
    public async Task<int> LookAsync()
    {
        var marked = 0;
        foreach (var id in _live.Ids)
        {
            if (_live.TryGet(id) is not { EffectLost: null, Removal: null } live)
            {
                continue;
            }

            string? lost;
            try
            {
                lost = live.Injector.EffectLost(live.Undo);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException or UnauthorizedAccessException)
            {
                continue;
            }

            live.EffectMisses = lost is null ? 0 : live.EffectMisses + 1;
            if (lost is null || live.EffectMisses < 2)
            {
                continue;
            }

            // Only a fault still active in the journal: one another process just removed lost its effect to that removal.
            if (await _journal.EffectLostAsync(id, Prefix + lost).ConfigureAwait(false) == 0)
            {
                continue;
            }

            live.EffectLost = lost;
            marked++;
            LogEffectLost(_logger, id, live.Injector.Name, live.Snapshot.Target, lost);
            _events.Publish(new FaultEffectLostEvent(_time.GetUtcNow(), id, live.Injector.Name, live.Snapshot.Target, lost));
        }

        return marked;
    }

    public async ValueTask DisposeAsync() => await _timer.DisposeAsync().ConfigureAwait(false);

    private async Task LookSafelyAsync()
    {
        if (_live.IsEmpty || Interlocked.Exchange(ref _running, 1) != 0)
        {
            return;
        }

        try
        {
            await LookAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // The store closed under a shutting-down engine.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "Fault {FaultId} ({Injector} on {Target}) is still active by its clock but its effect is gone: {Lost}")]
    private static partial void LogEffectLost(ILogger logger, string faultId, string injector, string target, string lost);
}
