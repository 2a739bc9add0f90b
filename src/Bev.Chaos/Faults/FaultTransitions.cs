using System.Text.Json.Nodes;
using Bev.Chaos.Events;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Faults;

/// <summary>
/// A fault's life in the journal, in one place: injecting (the recipe written before the effect)
/// → active → removing → removed, or failed when injection or removal failed. Calls that take
/// several ids write them in one transaction.
/// </summary>
internal sealed class FaultTransitions(FaultJournal journal, TimeProvider time)
{
    public const string RemovalFailed = "removal failed: ";

    /// <summary>Writes the recipe before anything changes; returns the fault's creation time.</summary>
    public async Task<DateTimeOffset> InjectingAsync(FaultContext context, FaultInjector injector, FaultRequest request, JsonObject undo, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await journal.AppendAsync(
            new JournalEntry(context.FaultId, injector.Name, request.Target, request.Profile, context.Parameters.ToJson(), FaultState.Injecting,
                undo.ToJsonString(), ProcessIdentity.Current, now, context.ExpiresAt, now, null, null),
            cancellationToken).ConfigureAwait(false);
        return now;
    }

    /// <summary>The effect is in place; the recipe now holds what applying added (a helper's pid).</summary>
    public Task ActiveAsync(string faultId, JsonObject undo) =>
        journal.UpdateAsync([faultId], FaultState.Active, time.GetUtcNow(), undo.ToJsonString(), cancellationToken: CancellationToken.None);

    /// <summary>Notes on an active fault that its effect vanished; the fault stays active until it ends.</summary>
    public Task<int> EffectLostAsync(string faultId, string error) => journal.NoteOnActiveAsync(faultId, error, time.GetUtcNow());

    public Task InjectionFailedAsync(string faultId, JsonObject undo, string error) =>
        journal.UpdateAsync([faultId], FaultState.Failed, time.GetUtcNow(), undo.ToJsonString(), error: error, cancellationToken: CancellationToken.None);

    public Task RemovingAsync(IReadOnlyCollection<string> faultIds, CancellationToken cancellationToken) =>
        journal.UpdateAsync(faultIds, FaultState.Removing, time.GetUtcNow(), cancellationToken: cancellationToken);

    public Task RemovedAsync(IReadOnlyCollection<string> faultIds, RemovalReason reason) =>
        faultIds.Count == 0 ? Task.CompletedTask
        : journal.UpdateAsync(faultIds, FaultState.Removed, time.GetUtcNow(), removalReason: reason.ToString(), cancellationToken: CancellationToken.None);

    public Task RemovalFailedAsync(string faultId, string error) =>
        journal.UpdateAsync([faultId], FaultState.Failed, time.GetUtcNow(), error: RemovalFailed + error, cancellationToken: CancellationToken.None);

    /// <summary>Every fault not yet removed or failed, whichever engine holds it.</summary>
    public Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken) => journal.ListOpenAsync(cancellationToken);

    public Task<JournalEntry?> GetAsync(string faultId, CancellationToken cancellationToken) => journal.GetAsync(faultId, cancellationToken);

    /// <summary>Restores the faults the store lost from their copies (see <see cref="FaultJournal.RestoreLostAsync"/>).</summary>
    public Task<IReadOnlyList<JournalEntry>> RestoreLostAsync(CancellationToken cancellationToken) => journal.RestoreLostAsync(cancellationToken);

    /// <summary>Where the copies are kept.</summary>
    public string CopiesDirectory => journal.CopiesDirectory;

    /// <summary>Other stores' faults on this machine, held and abandoned (see <see cref="FaultJournal.ReadOtherStoresCopies"/>).</summary>
    public (IReadOnlySet<string> Held, IReadOnlyList<JournalEntry> Abandoned) ReadOtherStoresCopies() => journal.ReadOtherStoresCopies();

    /// <summary>Whether any copy of the fault exists now (see <see cref="FaultJournal.HasCopy"/>).</summary>
    public bool HasCopy(string faultId) => journal.HasCopy(faultId);

    /// <summary>Takes over another store's abandoned fault (see <see cref="FaultJournal.AdoptAsync"/>).</summary>
    public Task<bool> AdoptAsync(JournalEntry abandoned, CancellationToken cancellationToken) => journal.AdoptAsync(abandoned, cancellationToken);

    /// <summary>The data directory of the store.</summary>
    public string DataDirectory => journal.Store.DataDirectory;

    public static bool IsClosed(JournalEntry entry) => entry.State is FaultState.Removed or FaultState.Failed;
}
