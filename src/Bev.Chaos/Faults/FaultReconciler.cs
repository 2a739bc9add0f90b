using System.Text.Json.Nodes;
using Bev.Chaos.Events;
using Bev.Chaos.Persistence;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Faults;

/// <summary>
/// Reverts faults from their journal recipes: those whose owning engine died (on every start) and
/// those removed by a process other than their owner.
/// </summary>
public static partial class FaultReconciler
{
    /// <summary>Reverts every open fault whose owner is no longer alive. Returns how many.</summary>
    public static async Task<int> RevertOrphansAsync(FaultJournal journal, IReadOnlyDictionary<string, FaultInjector> injectors, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var orphans = (await journal.ListOpenAsync(cancellationToken).ConfigureAwait(false))
            .Where(e => !e.Owner.IsAlive)
            .ToList();
        foreach (var entry in orphans)
        {
            LogOrphan(logger, entry.FaultId, entry.Injector, entry.Target, entry.Owner.ToString(), entry.State);
        }

        await RevertEntriesAsync(journal, injectors, orphans, RemovalReason.Reconciled, time, logger, null, cancellationToken).ConfigureAwait(false);
        return orphans.Count;
    }

    /// <summary>Reverts journal entries in parallel and records the outcome of each.</summary>
    public static async Task RevertEntriesAsync(FaultJournal journal, IReadOnlyDictionary<string, FaultInjector> injectors, IReadOnlyList<JournalEntry> entries, RemovalReason reason, TimeProvider time, ILogger logger, ChaosEventStream? events, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await journal.UpdateAsync(entries.Select(e => e.FaultId).ToList(), FaultState.Removing, time.GetUtcNow(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var context = new RevertContext { TimeProvider = time, Logger = logger };
        var errors = await Task.WhenAll(entries.Select(async entry =>
        {
            try
            {
                if (!injectors.TryGetValue(entry.Injector, out var injector))
                {
                    return $"no injector named {entry.Injector} in this version";
                }

                var undo = JsonNode.Parse(entry.UndoJson) as JsonObject ?? [];
                await injector.RevertAsync(undo, context, CancellationToken.None).ConfigureAwait(false);
                return null;
            }
            catch (Exception ex)
            {
                return ex.Message;
            }
        })).ConfigureAwait(false);

        var removed = entries.Where((_, i) => errors[i] is null).ToList();
        await journal.UpdateAsync(removed.Select(e => e.FaultId).ToList(), FaultState.Removed, time.GetUtcNow(), removalReason: reason.ToString(), cancellationToken: CancellationToken.None).ConfigureAwait(false);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (errors[i] is { } error)
            {
                LogRevertFailed(logger, entry.FaultId, entry.Injector, error);
                await journal.UpdateAsync([entry.FaultId], FaultState.Failed, time.GetUtcNow(), error: "revert failed: " + error, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                events?.Publish(new FaultFailedEvent(time.GetUtcNow(), entry.FaultId, entry.Injector, entry.Target, error));
            }
            else
            {
                LogReverted(logger, entry.FaultId, entry.Injector, entry.Target, reason);
                events?.Publish(new FaultRemovedEvent(time.GetUtcNow(), entry.FaultId, entry.Injector, entry.Target, reason));
            }
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Fault {FaultId} ({Injector} on {Target}) was left {State} by dead engine {Owner}; reverting it")]
    private static partial void LogOrphan(ILogger logger, string faultId, string injector, string target, string owner, FaultState state);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Reverted {FaultId} ({Injector} on {Target}): {Reason}")]
    private static partial void LogReverted(ILogger logger, string faultId, string injector, string target, RemovalReason reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Could not revert {FaultId} ({Injector}): {Error}")]
    private static partial void LogRevertFailed(ILogger logger, string faultId, string injector, string error);
}
