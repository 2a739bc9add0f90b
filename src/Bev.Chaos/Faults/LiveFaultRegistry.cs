using System.Collections.Concurrent;

namespace Bev.Chaos.Faults;

/// <summary>
/// The faults this engine holds, each with its expiry timer. A fault is removed once: the first
/// remover claims it, later ones (expiry racing a request, an emergency stop) wait for that removal.
/// </summary>
internal sealed class LiveFaultRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, LiveFault> _live = new(StringComparer.Ordinal);

    public bool IsEmpty => _live.IsEmpty;

    public IReadOnlyList<string> Ids => _live.Keys.ToList();

    public IReadOnlyCollection<ActiveFault> Snapshots => _live.Values.Select(l => l.Snapshot).OrderBy(f => f.CreatedAt).ToList();

    public bool Contains(string faultId) => _live.ContainsKey(faultId);

    /// <summary>The fault in effect under <paramref name="faultId"/>, or null.</summary>
    public LiveFault? TryGet(string faultId) => _live.TryGetValue(faultId, out var fault) ? fault : null;

    public void Add(LiveFault fault) => _live[fault.FaultId] = fault;

    /// <summary>Calls <paramref name="expire"/> when the fault's time is up (started once its journal entry says active).</summary>
    public void StartExpiry(LiveFault fault, Func<string, Task> expire)
    {
        var dueIn = fault.Snapshot.ExpiresAt - time.GetUtcNow();
        fault.Expiry = time.CreateTimer(_ => _ = expire(fault.FaultId), null, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Claims the faults of <paramref name="faultIds"/> for removal (stopping their expiry); returns those claimed and the removals already under way.</summary>
    public (IReadOnlyList<LiveFault> Claimed, Task Others) Claim(IEnumerable<string> faultIds)
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
            if (Interlocked.CompareExchange(ref live.Removal, mine, null) is { } existing)
            {
                waits.Add(existing.Task);
                continue;
            }

            live.Expiry?.Dispose();
            claimed.Add(live);
        }

        return (claimed, Task.WhenAll(waits));
    }

    /// <summary>Forgets a claimed fault once its removal has been recorded, releasing those waiting on it.</summary>
    public void Release(LiveFault fault)
    {
        _live.TryRemove(fault.FaultId, out _);
        fault.Removal?.TrySetResult();
    }

    /// <summary>Forgets a fault that another process removed; returns it, or null when it is gone or being removed here.</summary>
    public LiveFault? TryForget(string faultId)
    {
        var (claimed, _) = Claim([faultId]);
        if (claimed.Count == 0)
        {
            return null;
        }

        Release(claimed[0]);
        return claimed[0];
    }
}
