using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Bev.Chaos.TestSupport;
using Npgsql;

namespace Bev.Chaos.Proxy.Tests.Protocols.Postgres;

/// <summary>The PostgreSQL toxics against a real PostgreSQL server through a <c>postgres</c> proxy, with Npgsql and psql.</summary>
public sealed class PostgresToxicTests : IAsyncLifetime
{
    private const string Serialization = "could not serialize access due to concurrent update";

    private readonly ProxyCollection _proxies = new();
    private PostgresServer _postgres = null!;
    private ChaosProxy _proxy = null!;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _proxy = _proxies.Create("pg", null, _postgres.Address, protocol: ProxyProtocol.Postgres);
        await using var setup = await OpenAsync(_postgres.Address);
        await ExecuteAsync(setup, "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 10) g;");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _proxies.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    private static ToxicDefinition Toxic(string type, double? toxicity = null, string? name = null, params (string Key, JsonNode? Value)[] attributes) =>
        ToxicTypes.DefineFromJson(name, type, null, toxicity, attributes.ToDictionary(a => a.Key, a => a.Value));

    private static async Task<NpgsqlConnection> OpenAsync(string address, string extra = "")
    {
        var connection = new NpgsqlConnection(PostgresServer.ConnectionString(address, extra));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task PostgresError_MatchingQuery_FailsWithTheSqlStateAndTheSessionGoesOn()
    {
        await using var connection = await OpenAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("postgres_error", attributes: [("query", "(?i)^\\s*update\\s+accounts"), ("sqlstate", "40001"), ("message", Serialization)]));

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, "UPDATE accounts SET balance = 0 WHERE id = 1"));

        Assert.Equal("40001", error.SqlState);
        Assert.Equal(Serialization, error.MessageText);
        Assert.Equal(100, await ScalarAsync(connection, "SELECT balance FROM accounts WHERE id = 1"));
        Assert.Equal(1, _proxy.Counters["postgres_error_downstream"].Affected);
    }

    [Fact]
    public async Task PostgresError_InATransaction_AbortsItAsARealErrorWould()
    {
        await using var connection = await OpenAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("postgres_error", attributes: [("query", "balance = balance - 10"), ("sqlstate", "40001"), ("message", Serialization)]));
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(connection, "UPDATE accounts SET balance = 0 WHERE id = 2");

        var injected = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, "UPDATE accounts SET balance = balance - 10 WHERE id = 3"));
        var aborted = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, "SELECT 1"));
        await transaction.RollbackAsync(TestContext.Current.CancellationToken);

        Assert.Equal("40001", injected.SqlState);
        Assert.Equal("25P02", aborted.SqlState);
        Assert.Equal(100, await ScalarAsync(connection, "SELECT balance FROM accounts WHERE id = 2"));
    }

    [Fact]
    public async Task PreparedStatement_ExecutedRepeatedly_FailsInTheDrawnExecutionsOnly()
    {
        await using var connection = await OpenAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("postgres_error", 0.5, attributes: [("query", "FROM accounts WHERE id = \\$1"), ("sqlstate", "40P01"), ("message", "deadlock detected"), ("seed", 3)]));
        await using var command = new NpgsqlCommand("SELECT balance + $1 FROM accounts WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = 0 });
        await command.PrepareAsync(TestContext.Current.CancellationToken);

        var failures = 0;
        for (var i = 1; i <= 200; i++)
        {
            command.Parameters[0].Value = i % 10 + 1;
            try
            {
                Assert.Equal(100 + i % 10 + 1, await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
            }
            catch (PostgresException ex)
            {
                Assert.Equal("40P01", ex.SqlState);
                failures++;
            }
        }

        Assert.True(command.IsPrepared, "the statement stays prepared across injected errors");
        Assert.Equal(failures, _proxy.Counters["postgres_error_downstream"].Affected);
        Assert.Equal(200, _proxy.Counters["postgres_error_downstream"].Matched);

        // 4.4 standard deviations of Binomial(200, 0.5).
        Assert.InRange(failures, 100 - 31, 100 + 31);
    }

    [Fact]
    public async Task Seed_SameSeedTwice_FailsTheSameQueries()
    {
        var first = await FailedAsync(77);
        var second = await FailedAsync(77);

        Assert.Equal(first, second);
        Assert.NotEmpty(first);

        async Task<List<int>> FailedAsync(int seed)
        {
            // Only the test's own queries match (Npgsql's type loading on the first open would shift
            // the draws), and a SQLSTATE Npgsql keeps the connection open after: it closes it on
            // classes 53, 57, 58 and XX, as after a real one.
            _proxy.AddToxic(Toxic("postgres_error", 0.3, name: "replay", attributes: [("seed", seed), ("sqlstate", "40001"), ("query", "^SELECT \\d+$")]));
            await using var connection = await OpenAsync(_proxy.Listen);
            var failed = new List<int>();
            for (var i = 0; i < 60; i++)
            {
                try
                {
                    await ScalarAsync(connection, $"SELECT {i}");
                }
                catch (PostgresException)
                {
                    failed.Add(i);
                }
            }

            _proxy.RemoveToxic("replay");
            return failed;
        }
    }

    [Fact]
    public async Task Fatal_AdminShutdown_ClosesTheConnectionAndTheNextOneWorks()
    {
        _proxy.AddToxic(Toxic("postgres_error", attributes: [("query", "pg_sleep"), ("sqlstate", "57P01"), ("message", "terminating connection due to administrator command"), ("severity", "FATAL")]));
        await using (var connection = await OpenAsync(_proxy.Listen))
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connection, "SELECT pg_sleep(0)"));
            Assert.Equal("57P01", error.SqlState);
            Assert.Equal("FATAL", error.Severity);
            Assert.NotEqual(System.Data.ConnectionState.Open, connection.State);
        }

        await using var next = await OpenAsync(_proxy.Listen);
        Assert.Equal(1, await ScalarAsync(next, "SELECT 1"));
    }

    [Fact]
    public async Task PostgresDelay_HoldsMatchingQueriesOnly()
    {
        await using var connection = await OpenAsync(_proxy.Listen);
        var baseline = await TimeAsync(() => ScalarAsync(connection, "SELECT count(*) FROM accounts"));
        _proxy.AddToxic(Toxic("postgres_delay", attributes: [("query", "FROM accounts"), ("delay_ms", 150)]));

        var delayed = await TimeAsync(() => ScalarAsync(connection, "SELECT count(*) FROM accounts"));
        var other = await TimeAsync(() => ScalarAsync(connection, "SELECT 1"));

        Assert.InRange(delayed.TotalMilliseconds, 150, 150 + 150 + baseline.TotalMilliseconds);
        Assert.True(other < TimeSpan.FromMilliseconds(120), $"SELECT 1 should not be delayed (took {other.TotalMilliseconds:F1} ms)");
    }

    [Fact]
    public async Task RemovingTheToxic_RestoresRealResults()
    {
        await using var connection = await OpenAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("postgres_error", attributes: [("query", "accounts"), ("sqlstate", "55P03"), ("message", "could not obtain lock on relation \"accounts\"")]));
        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connection, "SELECT count(*) FROM accounts"));
        Assert.Equal("55P03", error.SqlState);

        _proxy.RemoveToxic("postgres_error_downstream");

        Assert.Equal(10L, await ScalarAsync(connection, "SELECT count(*) FROM accounts"));
    }

    [Fact]
    public async Task SslRequest_IsDeclinedSoRequireFailsAndPreferFallsBackToPlainText()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPEndPoint.Parse(_proxy.Listen), TestContext.Current.CancellationToken);
        await socket.SendAsync(new byte[] { 0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F }, SocketFlags.None, TestContext.Current.CancellationToken);
        var answer = new byte[1];
        Assert.Equal(1, await socket.ReceiveAsync(answer, SocketFlags.None, TestContext.Current.CancellationToken));
        Assert.Equal((byte)'N', answer[0]);

        await Assert.ThrowsAnyAsync<Exception>(() => OpenAsync(_proxy.Listen, "SSL Mode=Require"));
        await using var prefer = await OpenAsync(_proxy.Listen, "SSL Mode=Prefer");
        Assert.Equal(1, await ScalarAsync(prefer, "SELECT 1"));
    }

    [Fact]
    public async Task Psql_SeesTheErrorBySqlStateAndRunsTheNextCommand()
    {
        Requires.Program("psql");
        _proxy.AddToxic(Toxic("postgres_error", attributes: [("query", "FROM accounts WHERE id = 5"), ("sqlstate", "53300"), ("message", "sorry, too many clients already")]));
        var port = _proxy.Listen.Split(':')[1];

        var (exit, output, error) = await RunPsqlAsync(port, "\\set VERBOSITY verbose\nSELECT balance FROM accounts WHERE id = 5;\nSELECT 'after', count(*) FROM accounts;\n");

        Assert.Equal(0, exit);
        Assert.Contains("ERROR:  53300: sorry, too many clients already", error);
        Assert.Contains("after|10", output);
    }

    [Fact]
    public void PostgresToxic_OnARedisProxy_IsRefused()
    {
        var redis = _proxies.Create("not-pg", null, _postgres.Address, protocol: ProxyProtocol.Redis);

        var error = Assert.Throws<ProxyException>(() => redis.AddToxic(Toxic("postgres_error")));

        Assert.StartsWith("type: 'postgres_error' needs a proxy with protocol postgres, and proxy 'not-pg' has protocol redis", error.Message);
    }

    [Theory]
    [InlineData("sqlstate", "4000", "attributes.sqlstate: \"4000\" is not allowed (allowed: 5 characters of 0-9 A-Z, e.g. 40001 (serialization_failure), 57P01 (admin_shutdown), 53300 (too_many_connections))")]
    [InlineData("query", "([", "attributes.query: \"([\" is not allowed (allowed: a .NET regular expression of 1 to 4096 characters, e.g. \"^\\\\s*UPDATE\\\\s+accounts\" or \"(?i)select .* from orders\")")]
    [InlineData("severity", "PANIC", "attributes.severity: \"PANIC\" is not allowed (allowed: ERROR (the session goes on) or FATAL (the connection is closed after it))")]
    public void PostgresError_BadAttribute_IsRefusedNamingIt(string key, string value, string message)
    {
        var error = Assert.Throws<ProxyException>(() => Toxic("postgres_error", attributes: [(key, value)]));

        Assert.Equal($"attributes.{key}", error.Field);
        Assert.Equal(message, error.Message);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<(int Exit, string Out, string Err)> RunPsqlAsync(string port, string script)
    {
        var info = new ProcessStartInfo("psql") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", port, "-U", PostgresServer.User, "-d", "postgres", "-X", "-A", "-t" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PGPASSWORD"] = PostgresServer.Password;
        info.Environment["PGCONNECT_TIMEOUT"] = "15";
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await output, await error);
    }
}
