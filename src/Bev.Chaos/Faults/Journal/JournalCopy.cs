namespace Bev.Chaos.Faults.Journal;

/// <summary>
/// What a copy file holds: the journal entry and the data directory whose store it belongs to,
/// so that the machine-wide copies can tell one store's faults from another's.
/// </summary>
/// <param name="DataDirectory">The data directory of the store that holds <paramref name="Entry"/>.</param>
/// <param name="Entry">The entry as it was last written.</param>
internal sealed record JournalCopy(string DataDirectory, JournalEntry Entry);
