using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Faults.Journal;

/// <summary>One fault as the journal records it: enough to revert it from any process.</summary>
public sealed record JournalEntry(
    string FaultId,
    string Injector,
    string Target,
    string? Profile,
    string ParametersJson,
    FaultState State,
    string UndoJson,
    ProcessIdentity Owner,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset UpdatedAt,
    string? RemovalReason,
    string? Error)
{
    /// <summary>
    /// The entry's place in commit order (its row in the store): an entry committed later has a
    /// larger one. 0 for an entry not read from the store.
    /// </summary>
    public long Sequence { get; init; }
}
