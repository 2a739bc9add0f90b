using Microsoft.Data.Sqlite;

namespace Bev.Chaos.Persistence;

/// <summary>
/// The SQLite store in the data directory (<c>chaos.db</c>, WAL, synchronous=FULL so a
/// committed journal write survives a crash). One connection, used one call at a time.
/// </summary>
public sealed class ChaosStore : IAsyncDisposable, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ChaosStore(string dataDirectory, SqliteConnection connection)
    {
        DataDirectory = dataDirectory;
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
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "chaos.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        var store = new ChaosStore(dataDirectory, connection);
        store.Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = 10000;
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
        return store;
    }

    /// <summary>Runs <paramref name="work"/> with the connection, one caller at a time.</summary>
    internal async Task<T> WithConnectionAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return work(_connection);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
