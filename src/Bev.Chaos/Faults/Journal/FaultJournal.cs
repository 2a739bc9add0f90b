using System.Globalization;
using Bev.Chaos.Persistence;
using Bev.Chaos.Targets.Linux;
using Microsoft.Data.Sqlite;

namespace Bev.Chaos.Faults.Journal;

/// <summary>
/// The write-ahead fault journal. An entry is written (and synced) with its undo recipe before the
/// effect is applied; its state then moves injecting → active → removing → removed, or failed.
/// </summary>
public sealed class FaultJournal(ChaosStore store)
{
    private static readonly string[] OpenStates = [Name(FaultState.Injecting), Name(FaultState.Active), Name(FaultState.Removing)];

    // The SQL condition of an open fault, for every query that counts or lists them.
    private static readonly string IsOpen = $"state IN ('{string.Join("','", OpenStates)}')";

    /// <summary>The store behind the journal.</summary>
    public ChaosStore Store => store;

    private readonly JournalCopies _copies = JournalCopies.BesideStore(store.DataDirectory, store.RunDirectory);
    private readonly JournalCopies? _machine = JournalCopies.OnMachine(store.DataDirectory);

    /// <summary>Where the second copy of each open fault's entry is kept (<c>DATA_DIR/run/faults</c>; a third in <see cref="MachineCopiesDirectory"/>).</summary>
    public string CopiesDirectory => _copies.Directory;

    /// <summary>Where the machine-wide copies of every store's open faults are kept (see <see cref="JournalCopies.MachineDirectory"/>); null without a safe folder.</summary>
    public string? MachineCopiesDirectory => _machine?.Directory;

    /// <summary>Records a new fault in state <see cref="FaultState.Injecting"/>, and its copy beside the store.</summary>
    public async Task AppendAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        await InsertAsync(entry, cancellationToken).ConfigureAwait(false);
        if (entry.State is not (FaultState.Removed or FaultState.Failed))
        {
            _copies.Write(entry);
            _machine?.Write(entry);
        }
    }

    /// <summary>
    /// Puts back the open faults the store lost (emptied, replaced or recreated under them) from
    /// their copies, and drops the copies of faults it closed; returns the faults put back, so
    /// that the caller says so and reverts them like any other.
    /// </summary>
    public async Task<IReadOnlyList<JournalEntry>> RestoreLostAsync(CancellationToken cancellationToken)
    {
        var restored = new List<JournalEntry>();
        var copies = _copies.ReadAll().Concat(_machine?.ReadAll().Where(_machine.IsOurs) ?? [])
            .GroupBy(c => c.Entry.FaultId, StringComparer.Ordinal)
            .Select(g => g.MaxBy(c => c.Entry.UpdatedAt)!.Entry);
        foreach (var copy in copies)
        {
            var entry = await GetAsync(copy.FaultId, cancellationToken).ConfigureAwait(false);
            if (entry is null)
            {
                try
                {
                    await InsertAsync(copy, cancellationToken).ConfigureAwait(false);
                    restored.Add(copy);
                }
                catch (SqliteException)
                {
                    // A copy the store will not take (a value out of its domain) cannot be restored;
                    // it stays for the operator, and the next start tries again.
                }
            }
            else if (entry.State is FaultState.Removed or FaultState.Failed)
            {
                _copies.Delete(copy.FaultId);
                _machine?.Delete(copy.FaultId);
            }
        }

        return restored;
    }

    /// <summary>
    /// The machine-wide copies of other stores' open faults: those whose engine still runs or
    /// whose data directory is still there (its next start reverts them) are held by someone;
    /// those whose engine died with its data directory gone are nobody's, and an emergency stop
    /// takes them over.
    /// </summary>
    internal (IReadOnlySet<string> Held, IReadOnlyList<JournalEntry> Abandoned) ReadOtherStoresCopies()
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        var abandoned = new List<JournalEntry>();
        foreach (var machine in JournalCopies.AllOnMachine(store.DataDirectory))
        {
            foreach (var copy in machine.ReadAll().Where(c => !machine.IsOurs(c)))
            {
                // Only this process's own folder is taken over from; the others are only respected.
                if (copy.Entry.Owner.IsAlive || Directory.Exists(copy.DataDirectory) || machine.Directory != _machine?.Directory)
                {
                    held.Add(copy.Entry.FaultId);
                }
                else
                {
                    abandoned.Add(copy.Entry);
                }
            }
        }

        return (held, abandoned);
    }

    /// <summary>Whether a copy of <paramref name="faultId"/> is beside this store or on the machine now (a sweep asks again just before it undoes anything).</summary>
    internal bool HasCopy(string faultId) =>
        _copies.Exists(faultId) || JournalCopies.AllOnMachine(store.DataDirectory).Any(m => m.Exists(faultId));

    /// <summary>Puts another store's abandoned fault (see <see cref="ReadOtherStoresCopies"/>) into this journal, so it is reverted and recorded here; false when it is here already (another stop took it).</summary>
    internal async Task<bool> AdoptAsync(JournalEntry abandoned, CancellationToken cancellationToken)
    {
        if (await InsertAsync(abandoned, cancellationToken, ignoreExisting: true).ConfigureAwait(false) == 0)
        {
            return false;
        }

        _copies.Write(abandoned);
        _machine?.Write(abandoned);
        return true;
    }

    /// <summary>Sets the error text of a fault only while it is active (a removal under way is left alone).</summary>
    /// <returns>1 when noted, 0 when the fault is no longer active (removed meanwhile, e.g. by another process).</returns>
    public Task<int> NoteOnActiveAsync(string faultId, string error, DateTimeOffset now) =>
        store.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE fault_journal SET error = $error, updated_at = $updated WHERE fault_id = $id AND state = 'active'";
            command.Parameters.AddWithValue("$id", faultId);
            command.Parameters.AddWithValue("$error", error);
            command.Parameters.AddWithValue("$updated", Time(now));
            return command.ExecuteNonQuery();
        }, CancellationToken.None);

    private Task<int> InsertAsync(JournalEntry entry, CancellationToken cancellationToken, bool ignoreExisting = false) =>
        store.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = (ignoreExisting ? "INSERT OR IGNORE" : "INSERT") + """
                 INTO fault_journal (fault_id, injector, target, profile, parameters, state, undo, owner_pid, owner_start, created_at, expires_at, updated_at)
                VALUES ($id, $injector, $target, $profile, $parameters, $state, $undo, $pid, $start, $created, $expires, $updated)
                """;
            command.Parameters.AddWithValue("$id", entry.FaultId);
            command.Parameters.AddWithValue("$injector", entry.Injector);
            command.Parameters.AddWithValue("$target", entry.Target);
            command.Parameters.AddWithValue("$profile", (object?)entry.Profile ?? DBNull.Value);
            command.Parameters.AddWithValue("$parameters", entry.ParametersJson);
            command.Parameters.AddWithValue("$state", Name(entry.State));
            command.Parameters.AddWithValue("$undo", entry.UndoJson);
            command.Parameters.AddWithValue("$pid", entry.Owner.Pid);
            command.Parameters.AddWithValue("$start", entry.Owner.StartTicks);
            command.Parameters.AddWithValue("$created", Time(entry.CreatedAt));
            command.Parameters.AddWithValue("$expires", Time(entry.ExpiresAt));
            command.Parameters.AddWithValue("$updated", Time(entry.UpdatedAt));
            return command.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>
    /// Moves faults to <paramref name="state"/> in one commit; the undo recipe too when given. A
    /// closed fault (removed or failed) is never moved back to an open state: an apply that finishes
    /// after an emergency stop or expiry has closed its entry must not make it active again.
    /// </summary>
    public async Task UpdateAsync(IReadOnlyCollection<string> faultIds, FaultState state, DateTimeOffset now, string? undoJson = null, string? removalReason = null, string? error = null, CancellationToken cancellationToken = default)
    {
        await UpdateRowsAsync(faultIds, state, now, undoJson, removalReason, error, cancellationToken).ConfigureAwait(false);
        _copies.Update(faultIds, state, undoJson);
        _machine?.Update(faultIds, state, undoJson);
    }

    private Task UpdateRowsAsync(IReadOnlyCollection<string> faultIds, FaultState state, DateTimeOffset now, string? undoJson, string? removalReason, string? error, CancellationToken cancellationToken) =>
        store.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE fault_journal SET state = $state, updated_at = $updated,
                    undo = COALESCE($undo, undo), removal_reason = COALESCE($reason, removal_reason), error = COALESCE($error, error)
                WHERE fault_id = $id AND ($reopens = 0 OR state NOT IN ('removed', 'failed'))
                """;
            var id = command.Parameters.Add("$id", SqliteType.Text);
            command.Parameters.AddWithValue("$reopens", OpenStates.Contains(Name(state)) ? 1 : 0);
            command.Parameters.AddWithValue("$state", Name(state));
            command.Parameters.AddWithValue("$updated", Time(now));
            command.Parameters.AddWithValue("$undo", (object?)undoJson ?? DBNull.Value);
            command.Parameters.AddWithValue("$reason", (object?)removalReason ?? DBNull.Value);
            command.Parameters.AddWithValue("$error", (object?)error ?? DBNull.Value);
            command.Prepare();
            foreach (var faultId in faultIds)
            {
                id.Value = faultId;
                command.ExecuteNonQuery();
            }

            return faultIds.Count;
        }, cancellationToken);

    /// <summary>
    /// How many faults of every owner are open in the store of <paramref name="dataDirectory"/>,
    /// read on one read-only connection without opening the store (no schema, no writer, no pool):
    /// for a command that only needs to know whether there is anything to do. 0 when there is no
    /// store yet.
    /// </summary>
    public static int CountOpen(string dataDirectory)
    {
        // Copies without their entries (a lost store) count too: there is something to restore and revert.
        var machine = JournalCopies.OnMachine(dataDirectory);
        var copies = Math.Max(JournalCopies.Count(Path.Combine(dataDirectory, "run")), machine?.ReadAll().Count(machine.IsOurs) ?? 0);
        using var connection = ChaosStore.ConnectReadOnly(dataDirectory);
        if (connection is null)
        {
            return copies;
        }

        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'fault_journal'";
            if ((long)command.ExecuteScalar()! == 0)
            {
                return copies;
            }

            command.CommandText = $"SELECT COUNT(*) FROM fault_journal WHERE {IsOpen}";
            return Math.Max(copies, (int)(long)command.ExecuteScalar()!);
        }
        catch (SqliteException)
        {
            // A damaged store: opening the engine says so, with what to do.
            return Math.Max(copies, 1);
        }
    }

    /// <summary>Faults in injecting, active or removing state, of every owner.</summary>
    /// <remarks>Not queried again while nothing was committed since the last call (see <see cref="ChaosStore.ReadUnlessUnchangedAsync"/>).</remarks>
    public Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken) =>
        store.ReadUnlessUnchangedAsync(nameof(ListOpenAsync), connection => Query(connection, OpenInCreationOrder, null), cancellationToken);

    /// <summary>
    /// Open faults and the safety lock in one query: the cheapest status read, and not even that
    /// while nothing was committed since the last one (see <see cref="ChaosStore.ReadUnlessUnchangedAsync"/>).
    /// </summary>
    public Task<StoreSummary> ReadSummaryAsync(CancellationToken cancellationToken) =>
        store.ReadUnlessUnchangedAsync(nameof(ReadSummaryAsync), connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT (SELECT COUNT(*) FROM fault_journal WHERE {IsOpen}), safety_lock.reason, safety_lock.since
                FROM (SELECT 1) LEFT JOIN safety_lock ON safety_lock.id = 1
                """;
            using var reader = command.ExecuteReader();
            reader.Read();
            return new StoreSummary(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : ParseTime(reader.GetString(2)));
        }, cancellationToken);

    /// <summary>One fault, in any state; null when unknown.</summary>
    public async Task<JournalEntry?> GetAsync(string faultId, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE fault_id = $id", faultId, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The most recent faults in any state.</summary>
    public Task<IReadOnlyList<JournalEntry>> ListRecentAsync(int limit, CancellationToken cancellationToken) =>
        QueryAsync($"ORDER BY created_at DESC LIMIT {limit.ToString(CultureInfo.InvariantCulture)}", null, cancellationToken);

    private static readonly string OpenInCreationOrder = $"WHERE {IsOpen} ORDER BY created_at";

    private Task<IReadOnlyList<JournalEntry>> QueryAsync(string where, string? id, CancellationToken cancellationToken) =>
        store.ReadAsync(connection => Query(connection, where, id), cancellationToken);

    private static IReadOnlyList<JournalEntry> Query(SqliteConnection connection, string where, string? id)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT fault_id, injector, target, profile, parameters, state, undo, owner_pid, owner_start,
                   created_at, expires_at, updated_at, removal_reason, error, rowid
            FROM fault_journal {where}
            """;
        if (id is not null)
        {
            command.Parameters.AddWithValue("$id", id);
        }

        using var reader = command.ExecuteReader();
        var entries = new List<JournalEntry>();
        while (reader.Read())
        {
            entries.Add(new JournalEntry(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4),
                ParseState(reader.GetString(5)), reader.GetString(6),
                new ProcessIdentity(reader.GetInt32(7), reader.GetInt64(8)),
                ParseTime(reader.GetString(9)), ParseTime(reader.GetString(10)), ParseTime(reader.GetString(11)),
                reader.IsDBNull(12) ? null : reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetString(13))
            { Sequence = reader.GetInt64(14) });
        }

        // Read-only: the open-fault list may be handed to several callers while the store is unchanged.
        return entries.AsReadOnly();
    }

    internal static string Name(FaultState state) => state switch
    {
        FaultState.Injecting => "injecting",
        FaultState.Active => "active",
        FaultState.Removing => "removing",
        FaultState.Removed => "removed",
        _ => "failed",
    };

    private static FaultState ParseState(string text) => text switch
    {
        "injecting" => FaultState.Injecting,
        "active" => FaultState.Active,
        "removing" => FaultState.Removing,
        "removed" => FaultState.Removed,
        _ => FaultState.Failed,
    };

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
