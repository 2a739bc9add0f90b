using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Bev.Chaos.Persistence;

/// <summary>
/// The SQLite store in the data directory (<c>chaos.db</c>, WAL, synchronous=FULL so a
/// committed journal write survives a crash). Writes go through one connection with group
/// commit: writes that arrive while a commit is syncing share the next transaction and its one
/// fsync, and each caller returns only once its own write is durable. Reads use a small pool of
/// other connections, so they never wait behind a sync (WAL readers do not block the writer)
/// nor, up to the pool's size, behind each other.
/// </summary>
public sealed class ChaosStore : IAsyncDisposable, IDisposable
{
    private readonly SqliteConnection _connection;
    private const int ReadConnections = 4;
    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteConnection> _idleReaders = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _readGate = new(ReadConnections, ReadConnections);

    // Per read connection (one caller at a time holds it): its prepared data_version query, and
    // each key's last value with the version it was read at.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SqliteConnection, UnchangedReads> _unchangedReads = new();
    private readonly Lock _pendingLock = new();
    private List<PendingWrite> _pending = [];
    private bool _committing;

    private ChaosStore(string dataDirectory, SqliteConnection connection)
    {
        // Absolute, so that the machine-wide copies name one folder whichever directory an engine started in.
        DataDirectory = Path.GetFullPath(dataDirectory);
        _connection = connection;
    }

    /// <summary>The data directory holding the store.</summary>
    public string DataDirectory { get; }

    /// <summary>Where managed targets' pid files and logs live.</summary>
    public string RunDirectory => Path.Combine(DataDirectory, "run");

    /// <summary>The data directory from <c>--data-dir</c>, <c>BEV_CHAOS_DATA_DIR</c>, <c>$XDG_STATE_HOME/bev-chaos</c> or <c>~/.local/state/bev-chaos</c>.</summary>
    public static string DefaultDataDirectory()
    {
        var fromEnv = Environment.GetEnvironmentVariable("BEV_CHAOS_DATA_DIR");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        return !string.IsNullOrEmpty(xdg)
            ? Path.Combine(xdg, "bev-chaos")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state", "bev-chaos");
    }

    /// <summary>Opens (creating when missing) the store in <paramref name="dataDirectory"/>.</summary>
    public static ChaosStore Open(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        SqliteConnection? connection = null;
        try
        {
            connection = Connect(dataDirectory, SqliteOpenMode.ReadWriteCreate);
            CreateSchema(connection);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is not (SqliteCorrupt or SqliteNotADatabase))
        {
            // Busy past the timeout, read-only, full, no permission, not a file: the data may be
            // sound, the moment or the place is not.
            connection?.Dispose();
            throw new InvalidOperationException($"the store {DatabaseFile(dataDirectory)} cannot be opened now: {ex.Message.TrimEnd('.')}", ex);
        }
        catch (SqliteException ex)
        {
            connection?.Dispose();
            var file = DatabaseFile(dataDirectory);
            throw new InvalidOperationException(
                $"the store {file} cannot be used: {ex.Message.TrimEnd('.')}. Move it aside (mv {file} {file}.damaged, and its -wal and -shm files) and run again: "
                + $"the faults it held are then restored from their copies in {Path.Combine(dataDirectory, "run", "faults")} and reverted", ex);
        }

        return new ChaosStore(dataDirectory, connection);
    }

    // SQLite's primary result codes for a damaged file and for a file that is not a database.
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private static void CreateSchema(SqliteConnection connection)
    {
        // First and alone: the schema below waits for another process's lock instead of failing.
        Execute(connection, "PRAGMA busy_timeout = 10000;");
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS fault_journal (
                fault_id       TEXT PRIMARY KEY,
                injector       TEXT NOT NULL,
                target         TEXT NOT NULL,
                profile        TEXT,
                parameters     TEXT NOT NULL,
                state          TEXT NOT NULL,
                undo           TEXT NOT NULL,
                owner_pid      INTEGER NOT NULL,
                owner_start    INTEGER NOT NULL,
                created_at     TEXT NOT NULL,
                expires_at     TEXT NOT NULL,
                updated_at     TEXT NOT NULL,
                removal_reason TEXT,
                error          TEXT
            );
            CREATE INDEX IF NOT EXISTS fault_journal_state ON fault_journal(state);
            CREATE TABLE IF NOT EXISTS safety_lock (
                id     INTEGER PRIMARY KEY CHECK (id = 1),
                reason TEXT NOT NULL,
                since  TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS audit (
                id     INTEGER PRIMARY KEY AUTOINCREMENT,
                time   TEXT NOT NULL,
                who    TEXT NOT NULL,
                action TEXT NOT NULL,
                status INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS experiments (
                experiment_id TEXT PRIMARY KEY,
                name          TEXT NOT NULL,
                verdict       TEXT NOT NULL,
                started_at    TEXT NOT NULL,
                ended_at      TEXT NOT NULL,
                result        TEXT NOT NULL
            );
            """);
    }

    /// <summary>Runs a query on a read connection of the pool (opened on first need).</summary>
    internal async Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        await _readGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!_idleReaders.TryTake(out var reader))
        {
            reader = Connect(DataDirectory, SqliteOpenMode.ReadWrite);
            Execute(reader, "PRAGMA busy_timeout = 10000;");
        }

        try
        {
            return read(reader);
        }
        finally
        {
            _idleReaders.Add(reader);
            _readGate.Release();
        }
    }

    /// <summary>
    /// Reads one page of rows: <paramref name="sql"/> with <c>$limit</c> and <c>$offset</c> bound
    /// to <paramref name="limit"/> and <paramref name="offset"/>, each row turned into a value by <paramref name="map"/>.
    /// </summary>
    /// <remarks>
    /// Pages of at most <see cref="MaxCachedPageRows"/> rows (the default pages of the API and the
    /// CLI) are not queried again while the store is unchanged (<see cref="ReadUnlessUnchangedAsync"/>);
    /// larger ones always are, so that what the cache holds stays small whatever a caller asks.
    /// </remarks>
    internal Task<IReadOnlyList<T>> ReadPageAsync<T>(string sql, int limit, int offset, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
    {
        IReadOnlyList<T> Read(SqliteConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$limit", limit);
            command.Parameters.AddWithValue("$offset", offset);
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(map(reader));
            }

            return rows.AsReadOnly();
        }

        return limit <= MaxCachedPageRows
            ? ReadUnlessUnchangedAsync(string.Create(CultureInfo.InvariantCulture, $"page {typeof(T).FullName} {limit} {offset} {sql}"), Read, cancellationToken)
            : ReadAsync(Read, cancellationToken);
    }

    /// <summary>The largest page <see cref="ReadPageAsync"/> keeps between reads.</summary>
    internal const int MaxCachedPageRows = 100;

    /// <summary>
    /// Runs <paramref name="read"/>, or answers what it returned last time on the same read
    /// connection when no connection — of this process or another — has committed since (SQLite's
    /// <c>PRAGMA data_version</c>, which a connection sees change on every other connection's
    /// commit): an unchanged store is not queried again. The version is read before the query, so
    /// a commit between the two makes the next call query again; a value is never older than the
    /// store.
    /// </summary>
    /// <param name="key">Names the read; one cached value per key and connection.</param>
    /// <param name="read">The query; it must depend on nothing but the store's contents.</param>
    /// <param name="cancellationToken">Stops the wait for a read connection.</param>
    internal Task<T> ReadUnlessUnchangedAsync<T>(string key, Func<SqliteConnection, T> read, CancellationToken cancellationToken) =>
        ReadAsync(connection =>
        {
            var cache = _unchangedReads.GetValue(connection, UnchangedReads.For);
            var version = (long)cache.DataVersion.ExecuteScalar()!;
            if (version != cache.Version)
            {
                // A commit since: nothing kept can be answered again, so none of it is kept.
                cache.Values.Clear();
                cache.Version = version;
            }
            else if (cache.Values.TryGetValue(key, out var last))
            {
                return (T)last!;
            }

            var value = read(connection);
            if (cache.Values.Count >= MaxUnchangedReads)
            {
                // Keys come from callers' arguments (a page's limit and offset): bounded, whatever they ask.
                cache.Values.Clear();
            }

            cache.Values[key] = value;
            return value;
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="write"/> inside the next group commit and completes once that commit is
    /// durable. The write must not open a transaction of its own; a write that throws is rolled back
    /// alone (a savepoint) and its exception is the caller's.
    /// </summary>
    internal Task<int> WriteAsync(Func<SqliteConnection, int> write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingWrite(write);
        bool lead;
        lock (_pendingLock)
        {
            _pending.Add(pending);
            lead = !_committing;
            _committing = true;
        }

        if (lead)
        {
            _ = Task.Run(CommitPendingAsync, CancellationToken.None);
        }

        return pending.Completion.Task;
    }

    private async Task CommitPendingAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                List<PendingWrite> batch;
                lock (_pendingLock)
                {
                    if (_pending.Count == 0)
                    {
                        _committing = false;
                        return;
                    }

                    batch = _pending;
                    _pending = [];
                }

                CommitBatch(batch);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void CommitBatch(List<PendingWrite> batch)
    {
        try
        {
            Execute(_connection, "BEGIN IMMEDIATE");
        }
        catch (SqliteException ex)
        {
            batch.ForEach(p => p.Completion.TrySetException(ex));
            return;
        }

        var results = new (int Rows, Exception? Error)[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            Execute(_connection, "SAVEPOINT write");
            try
            {
                results[i] = (batch[i].Write(_connection), null);
                Execute(_connection, "RELEASE write");
            }
            catch (Exception ex) when (ex is SqliteException or InvalidOperationException or ArgumentException)
            {
                Execute(_connection, "ROLLBACK TO write; RELEASE write");
                results[i] = (0, ex);
            }
        }

        try
        {
            Execute(_connection, "COMMIT");
        }
        catch (SqliteException ex)
        {
            Execute(_connection, "ROLLBACK");
            batch.ForEach(p => p.Completion.TrySetException(ex));
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i].Error is { } error)
            {
                batch[i].Completion.TrySetException(error);
            }
            else
            {
                batch[i].Completion.TrySetResult(results[i].Rows);
            }
        }
    }

    /// <summary>
    /// One read-only connection to the store of <paramref name="dataDirectory"/>, without opening
    /// the store (no schema, no writer, no pool); null when there is no store, and none is created.
    /// </summary>
    internal static SqliteConnection? ConnectReadOnly(string dataDirectory) =>
        File.Exists(DatabaseFile(dataDirectory)) ? Connect(dataDirectory, SqliteOpenMode.ReadOnly) : null;

    private static string DatabaseFile(string dataDirectory) => Path.Combine(dataDirectory, "chaos.db");

    private static SqliteConnection Connect(string dataDirectory, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabaseFile(dataDirectory),
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Closes the store, first waiting for the commit and reads under way so that no promised write is lost.</summary>
    public void Dispose()
    {
        // Wait for a commit in progress, so no caller loses a write it was promised.
        _gate.Wait();
        for (var i = 0; i < ReadConnections; i++)
        {
            _readGate.Wait();
        }

        _connection.Dispose();
        while (_idleReaders.TryTake(out var reader))
        {
            reader.Dispose();
        }

        _gate.Dispose();
        _readGate.Dispose();
    }

    private sealed class PendingWrite(Func<SqliteConnection, int> write)
    {
        public Func<SqliteConnection, int> Write { get; } = write;

        public TaskCompletionSource<int> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Closes the store as <see cref="Dispose"/> does (synchronously).</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    // Values kept per read connection by ReadUnlessUnchangedAsync.
    private const int MaxUnchangedReads = 64;

    private sealed class UnchangedReads
    {
        private UnchangedReads(SqliteCommand dataVersion) => DataVersion = dataVersion;

        // Prepared once: it is asked on every read, so it is not parsed again each time.
        public SqliteCommand DataVersion { get; }

        // The data_version the values were read at; they are dropped when it changes.
        public long Version { get; set; } = -1;

        public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);

        public static UnchangedReads For(SqliteConnection connection)
        {
            var command = connection.CreateCommand();
            command.CommandText = "PRAGMA data_version";
            command.Prepare();
            return new UnchangedReads(command);
        }
    }
}
