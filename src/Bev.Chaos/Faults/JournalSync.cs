using Bev.Chaos.Events;

namespace Bev.Chaos.Faults;

/// <summary>
/// Once a second, drops from this engine's list the faults another process removed through the
/// journal (<c>bev-chaos remove</c>, an emergency stop elsewhere); that process reverted the effect
/// from the recipe, so only the handle's in-process resources are released here.
/// </summary>
internal sealed class JournalSync : IAsyncDisposable
{
    private readonly FaultTransitions _journal;
    private readonly LiveFaultRegistry _live;
    private readonly ChaosEventStream _events;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private int _stopped;

    public JournalSync(FaultTransitions journal, LiveFaultRegistry live, ChaosEventStream events, TimeProvider time)
    {
        (_journal, _live, _events, _time) = (journal, live, events, time);
        _timer = time.CreateTimer(_ => _ = SyncSafelyAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _live.Ids)
        {
            var entry = await _journal.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (entry is not null && FaultTransitions.IsClosed(entry) && _live.TryForget(id) is { } live)
            {
                if (live.Handle is { } handle)
                {
                    await handle.DisposeAsync().ConfigureAwait(false);
                }

                _events.Publish(new FaultRemovedEvent(_time.GetUtcNow(), id, live.Injector.Name, live.Snapshot.Target,
                    Enum.TryParse<RemovalReason>(entry.RemovalReason, out var reason) ? reason : RemovalReason.Requested));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _stopped, 1);
        await _timer.DisposeAsync().ConfigureAwait(false);
    }

    private async Task SyncSafelyAsync()
    {
        if (_live.IsEmpty || Volatile.Read(ref _stopped) != 0)
        {
            return;
        }

        try
        {
            await SyncAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // The store closed under a shutting-down engine.
        }
    }
}
