using Bev.Chaos.Persistence;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Faults;

/// <summary>
/// Crash recovery: on every start, the open faults whose owning engine died are reverted from
/// their journal recipes, by the same <see cref="FaultReverter"/> that removes live faults.
/// </summary>
internal static partial class FaultReconciler
{
    /// <summary>Reverts every open fault whose owner is no longer alive. Returns how many.</summary>
    /// <param name="journal">The journal.</param>
    /// <param name="reverter">Reverts what is found.</param>
    /// <param name="fillRoots">Where disk_fill may write: swept for fill files when the store lost faults.</param>
    /// <param name="logger">Says what was lost, reverted and swept.</param>
    /// <param name="cancellationToken">Stops the listing (not a revert under way).</param>
    public static async Task<int> RevertOrphansAsync(FaultTransitions journal, FaultReverter reverter, IEnumerable<string> fillRoots, ILogger logger, CancellationToken cancellationToken)
    {
        var lost = await journal.RestoreLostAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in lost)
        {
            LogLost(logger, entry.FaultId, entry.Injector, entry.Target, journal.CopiesDirectory);
        }

        // A store that lost faults may have lost more than its copies know of: whatever carries
        // our name and is held by no journal, copy or running engine is swept as well.
        if (lost.Count > 0)
        {
            await SweepAsync(journal, [], fillRoots, logger, cancellationToken).ConfigureAwait(false);
        }

        var orphans = (await journal.ListOpenAsync(cancellationToken).ConfigureAwait(false))
            .Where(e => !e.Owner.IsAlive)
            .ToList();
        foreach (var entry in orphans)
        {
            LogOrphan(logger, entry.FaultId, entry.Injector, entry.Target, entry.Owner.ToString(), entry.State);
        }

        await reverter.RevertAsync(orphans.Select(FaultReverter.Revertible.Of).ToList(), Events.RemovalReason.Reconciled, cancellationToken).ConfigureAwait(false);
        return orphans.Count;
    }

    /// <summary>
    /// Sweeps the effects that carry our name and are held by nobody: not by this journal's open
    /// faults, nor <paramref name="alsoHeld"/>, nor another store's copies of a running engine or
    /// of a data directory still there, nor a copy written since (asked again before each undo, so
    /// that a fault another engine journals and applies during the walk is left alone). Returns
    /// what was undone.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SweepAsync(FaultTransitions journal, IEnumerable<string> alsoHeld, IEnumerable<string> fillRoots, ILogger logger, CancellationToken cancellationToken)
    {
        var held = (await journal.ListOpenAsync(cancellationToken).ConfigureAwait(false)).Select(e => e.FaultId)
            .Concat(journal.ReadOtherStoresCopies().Held).Concat(alsoHeld).ToHashSet(StringComparer.Ordinal);
        return LeftoverSweep.Run(id => held.Contains(id) || journal.HasCopy(id), fillRoots, logger);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Fault {FaultId} ({Injector} on {Target}) was left {State} by dead engine {Owner}; reverting it")]
    private static partial void LogOrphan(ILogger logger, string faultId, string injector, string target, string owner, FaultState state);

    [LoggerMessage(EventId = 303, Level = LogLevel.Critical, Message = "The fault journal had lost open fault {FaultId} ({Injector} on {Target}): the store was emptied, replaced or recreated while it was held. Restored it from its copy in {Copies}; it is reverted now if its engine is gone")]
    private static partial void LogLost(ILogger logger, string faultId, string injector, string target, string copies);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Reverted {FaultId} ({Injector} on {Target}): {Reason}")]
    internal static partial void LogReverted(ILogger logger, string faultId, string injector, string target, Events.RemovalReason reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Could not revert {FaultId} ({Injector}): {Error}")]
    internal static partial void LogRevertFailed(ILogger logger, string faultId, string injector, string error);
}
