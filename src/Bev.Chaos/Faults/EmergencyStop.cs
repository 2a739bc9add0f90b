using Bev.Chaos.Events;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Targets.Linux;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Faults;

/// <summary>
/// The emergency stop, a barrier: engages the safety lock, removes what is in effect at once —
/// this engine's faults, every other engine's open faults in the journal, and the agents' —
/// waits meanwhile for the injections under way, removes once more what they left, then takes
/// over the faults of engines that died with their data directory gone.
/// </summary>
internal sealed class EmergencyStop(
    LiveFaultRegistry live,
    FaultTransitions journal,
    FaultReverter reverter,
    RemoteFaultRouter remote,
    InjectionGate gate,
    IInjectionLock? safetyLock,
    Func<IReadOnlyList<string>, RemovalReason, Task> removeLive,
    ChaosEventStream events,
    TimeProvider time,
    ILogger logger)
{
    // How long an emergency stop waits for injections under way (a helper's start is the slowest step).
    private static readonly TimeSpan InFlightWait = TimeSpan.FromSeconds(30);

    /// <summary>Stops everything; returns how many faults were removed (those taken over from dead engines not counted).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // Taken before the first await, so that it holds every fault live when the stop came: an
        // experiment aborted by the same stop may roll its own faults back before the lock is written.
        var liveAtStop = live.Ids;
        var started = time.GetTimestamp();
        if (safetyLock is not null)
        {
            await safetyLock.EngageAsync("emergency stop", cancellationToken).ConfigureAwait(false);
        }

        // What is in effect goes at once. Injections that read the lock just before it closed finish
        // meanwhile (each reverts itself on seeing the lock, or fails), and a second sweep removes
        // whatever they left live or open, so that none is left when the stop answers.
        var swept = new HashSet<string>(StringComparer.Ordinal);
        var remoteStop = remote.EmergencyStopAsync(cancellationToken);
        var drained = gate.WaitDrainedAsync(InFlightWait, time);
        var first = SweepAsync(liveAtStop, swept, cancellationToken);
        await Task.WhenAll(first, drained, remoteStop).ConfigureAwait(false);
        if (!await drained.ConfigureAwait(false))
        {
            FaultLog.LogRevertFailed(logger, "*", "emergency stop", $"injections still under way after {InFlightWait.TotalSeconds:0} s; removing what is live now");
        }

        var count = await first.ConfigureAwait(false) + await SweepAsync([], swept, cancellationToken).ConfigureAwait(false) + await remoteStop.ConfigureAwait(false);
        await RevertAbandonedAsync(cancellationToken).ConfigureAwait(false);
        var took = time.GetElapsedTime(started);
        FaultLog.LogEmergencyStop(logger, count, took.TotalMilliseconds);
        events.Publish(new EmergencyStopEvent(time.GetUtcNow(), count, took));
        return count;
    }

    // Removes this engine's faults (of extraIds and live now) and the journal's other open faults,
    // each once across sweeps (swept); returns how many this sweep removed.
    private async Task<int> SweepAsync(IEnumerable<string> extraIds, HashSet<string> swept, CancellationToken cancellationToken)
    {
        var mine = extraIds.Union(live.Ids, StringComparer.Ordinal).Where(swept.Add).ToList();
        var own = removeLive(mine, RemovalReason.EmergencyStop);
        // This engine's own injections under way are left to themselves (they revert on seeing the
        // lock) and to the sweep after the drain: a revert racing their apply could leave half of it.
        var others = (await journal.ListOpenAsync(cancellationToken).ConfigureAwait(false))
            .Where(e => !live.Contains(e.FaultId) && !(e.State == FaultState.Injecting && e.Owner == ProcessIdentity.Current && gate.IsBusy) && swept.Add(e.FaultId))
            .ToList();
        await Task.WhenAll(own, reverter.RevertAsync(others.Select(FaultReverter.Revertible.Of).ToList(), RemovalReason.EmergencyStop, cancellationToken)).ConfigureAwait(false);
        return mine.Count + others.Count;
    }

    // Stop everything: faults of stores whose engine died with its data directory gone are taken
    // over from their machine-wide copies and reverted from their recipes (as crash recovery:
    // their engines died, this stop only came across them). They do not count among the stop's
    // faults; the log says what went. A failure here never fails the stop itself.
    private async Task RevertAbandonedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var adopted = new List<JournalEntry>();
            foreach (var abandoned in journal.ReadOtherStoresCopies().Abandoned)
            {
                if (await journal.AdoptAsync(abandoned, cancellationToken).ConfigureAwait(false))
                {
                    adopted.Add(abandoned);
                }
            }

            await reverter.RevertAsync(adopted.Select(FaultReverter.Revertible.Of).ToList(), RemovalReason.Reconciled, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            FaultLog.LogRevertFailed(logger, "*", "emergency stop", "taking over abandoned faults: " + ex.Message);
        }
    }
}
