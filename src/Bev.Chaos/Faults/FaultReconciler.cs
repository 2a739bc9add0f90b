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
    public static async Task<int> RevertOrphansAsync(FaultTransitions journal, FaultReverter reverter, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var lost in await journal.RestoreLostAsync(cancellationToken).ConfigureAwait(false))
        {
            LogLost(logger, lost.FaultId, lost.Injector, lost.Target, journal.CopiesDirectory);
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

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Fault {FaultId} ({Injector} on {Target}) was left {State} by dead engine {Owner}; reverting it")]
    private static partial void LogOrphan(ILogger logger, string faultId, string injector, string target, string owner, FaultState state);

    [LoggerMessage(EventId = 303, Level = LogLevel.Critical, Message = "The fault journal had lost open fault {FaultId} ({Injector} on {Target}): the store was emptied, replaced or recreated while it was held. Restored it from its copy in {Copies}; it is reverted now if its engine is gone")]
    private static partial void LogLost(ILogger logger, string faultId, string injector, string target, string copies);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Reverted {FaultId} ({Injector} on {Target}): {Reason}")]
    internal static partial void LogReverted(ILogger logger, string faultId, string injector, string target, Events.RemovalReason reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Could not revert {FaultId} ({Injector}): {Error}")]
    internal static partial void LogRevertFailed(ILogger logger, string faultId, string injector, string error);
}
