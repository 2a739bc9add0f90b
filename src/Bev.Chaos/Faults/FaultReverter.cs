using System.Text.Json.Nodes;
using Bev.Chaos.Events;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Faults;

/// <summary>
/// The one way a fault comes back out — on removal, expiry, emergency stop, shutdown and crash
/// recovery alike: the injector reverts the effect from the journaled recipe alone; a fault this
/// engine holds then releases its handle's in-process resources. Many faults share two journal
/// transactions (removing, removed) with the effects reverted in parallel between them.
/// </summary>
internal sealed class FaultReverter(FaultTransitions journal, IReadOnlyDictionary<string, FaultInjector> injectors, ChaosEventStream events, TimeProvider time, ILogger logger, RemovedFaultMeasurements measurements)
{
    /// <summary>Reverts <paramref name="faults"/>, records each outcome and publishes it.</summary>
    public async Task RevertAsync(IReadOnlyList<Revertible> faults, RemovalReason reason, CancellationToken cancellationToken)
    {
        if (faults.Count == 0)
        {
            return;
        }

        await journal.RemovingAsync(faults.Select(f => f.FaultId).ToList(), cancellationToken).ConfigureAwait(false);
        var errors = await Task.WhenAll(faults.Select(RevertOneAsync)).ConfigureAwait(false);
        await journal.RemovedAsync(faults.Where((_, i) => errors[i] is null).Select(f => f.FaultId).ToList(), reason).ConfigureAwait(false);
        for (var i = 0; i < faults.Count; i++)
        {
            var fault = faults[i];
            if (errors[i] is { } error)
            {
                await journal.RemovalFailedAsync(fault.FaultId, error).ConfigureAwait(false);
                events.Publish(new FaultFailedEvent(time.GetUtcNow(), fault.FaultId, fault.Injector, fault.Target, FaultTransitions.RemovalFailed + error));
                continue;
            }

            if (fault.Held)
            {
                FaultLog.LogRemoved(logger, fault.FaultId, fault.Injector, fault.Target, reason);
            }
            else
            {
                FaultReconciler.LogReverted(logger, fault.FaultId, fault.Injector, fault.Target, reason);
            }

            events.Publish(new FaultRemovedEvent(time.GetUtcNow(), fault.FaultId, fault.Injector, fault.Target, reason));
        }
    }

    /// <summary>Undoes what a failed <c>ApplyAsync</c> may have done, and records the failure.</summary>
    public async Task RevertFailedInjectionAsync(FaultInjector injector, FaultContext context, JsonObject undo, Exception error)
    {
        FaultLog.LogInjectFailed(logger, context.FaultId, injector.Name, context.Target.Name, error.Message);
        try
        {
            await injector.RevertAsync(undo, Context(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception revertError)
        {
            FaultLog.LogRevertFailed(logger, context.FaultId, injector.Name, revertError.Message);
        }

        await journal.InjectionFailedAsync(context.FaultId, undo, error.Message).ConfigureAwait(false);
        events.Publish(new FaultFailedEvent(time.GetUtcNow(), context.FaultId, injector.Name, context.Target.Name, error.Message));
    }

    // The error, or null when the effect is gone.
    private async Task<string?> RevertOneAsync(Revertible fault)
    {
        string? error = null;
        if (fault.Handle is IFaultMeasurements counted)
        {
            // Before the revert: what made the counts (a proxy's toxic) goes with it.
            try
            {
                measurements.Record(fault.FaultId, counted.Measure());
            }
            catch (Exception ex)
            {
                FaultLog.LogRevertFailed(logger, fault.FaultId, fault.Injector, "its counts could not be read: " + ex.Message);
            }
        }

        try
        {
            if (!injectors.TryGetValue(fault.Injector, out var injector))
            {
                error = $"no injector named {fault.Injector} in this version";
            }
            else
            {
                await injector.RevertAsync(fault.Undo(), Context(), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            error = ex.Message;
        }

        try
        {
            if (fault.Handle is { } handle)
            {
                await handle.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            error ??= ex.Message;
        }

        if (error is not null)
        {
            if (fault.Held)
            {
                FaultLog.LogRevertFailed(logger, fault.FaultId, fault.Injector, error);
            }
            else
            {
                FaultReconciler.LogRevertFailed(logger, fault.FaultId, fault.Injector, error);
            }
        }

        return error;
    }

    private RevertContext Context() => new() { TimeProvider = time, Logger = logger };

    /// <summary>
    /// One fault to revert: its recipe, and for a fault this engine holds (<see cref="Held"/>) the
    /// handle whose in-process resources are released after the recipe ran.
    /// </summary>
    internal sealed record Revertible(string FaultId, string Injector, string Target, Func<JsonObject> Undo, IAsyncDisposable? Handle, bool Held)
    {
        public static Revertible Of(LiveFault fault) =>
            new(fault.FaultId, fault.Injector.Name, fault.Snapshot.Target, () => fault.Undo, fault.Handle, Held: true);

        // The recipe is parsed when reverted, so that a damaged one fails that fault alone.
        public static Revertible Of(JournalEntry entry) =>
            new(entry.FaultId, entry.Injector, entry.Target, () => JsonNode.Parse(entry.UndoJson) as JsonObject ?? [], null, Held: false);
    }
}
