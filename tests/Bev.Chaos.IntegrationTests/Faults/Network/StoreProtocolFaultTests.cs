using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Proxy.Tests.Protocols.Postgres;
using Bev.Chaos.Proxy.Tests.Protocols.Redis;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;
using Npgsql;

namespace Bev.Chaos.IntegrationTests.Faults.Network;

/// <summary>The Redis and PostgreSQL faults through the engine, on a catalog target's real redis-server and PostgreSQL behind protocol proxies.</summary>
public sealed class StoreProtocolFaultTests : IAsyncLifetime
{
    private ProxiedTargetEngine _engine = null!;
    private RedisServer _redis = null!;
    private string _cacheAddress = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _cacheAddress = $"127.0.0.1:{LoopbackPort.Free()}";
        await UseAsync(new Dictionary<string, ProxyRoute> { ["cache"] = new(_cacheAddress, _redis.Address, "redis") });
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _redis.DisposeAsync();
    }

    // A catalog of these routes in place of the last one.
    private async Task UseAsync(Dictionary<string, ProxyRoute> routes)
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        _engine = new ProxiedTargetEngine(routes);
    }

    [Fact]
    public async Task RedisError_OnMatchingCommands_AnswersLoading_RedisDelayHoldsOthers_ThenBothGo()
    {
        using var client = await RespClient.ConnectAsync(_cacheAddress);
        Assert.Equal("+OK", await client.CallAsync("SET", "session:1", "a"));

        var error = await _engine.Manager.InjectFaultAsync("redis_error", "analyzer", null, new Dictionary<string, object?> { ["commands"] = "GET, MGET", ["key"] = "session:*" }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var delay = await _engine.Manager.InjectFaultAsync("redis_delay", "analyzer", "redis_delay_medium", new Dictionary<string, object?> { ["commands"] = "PING" }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal("-LOADING Redis is loading the dataset in memory", await client.CallAsync("GET", "session:1"));
        Assert.Equal("+OK", await client.CallAsync("SET", "user:1", "b"));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.Equal("+PONG", await client.CallAsync("PING"));
        Assert.InRange(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, 250, 10_000);

        await _engine.Manager.RemoveFaultAsync(error, TestContext.Current.CancellationToken);
        await _engine.Manager.RemoveFaultAsync(delay, TestContext.Current.CancellationToken);
        Assert.Empty(_engine.Proxies.Get("analyzer.cache").Toxics);
        Assert.Equal("$a", await client.CallAsync("GET", "session:1"));
    }

    [Fact]
    public async Task PostgresError_FailsMatchingQueriesWithTheSqlState_AndTheSessionGoesOn()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var dbAddress = $"127.0.0.1:{LoopbackPort.Free()}";
        await _engine.Manager.DisposeAsync();
        await UseAsync(new Dictionary<string, ProxyRoute> { ["db"] = new(dbAddress, postgres.Address, "postgres") });

        var id = await _engine.Manager.InjectFaultAsync("postgres_error", "analyzer", null, new Dictionary<string, object?> { ["query"] = "(?i)^\\s*select 1\\b", ["sqlstate"] = "40001", ["message"] = "could not serialize access" }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString(dbAddress));
        await connection.OpenAsync(TestContext.Current.CancellationToken);

        await using (var failing = new NpgsqlCommand("SELECT 1", connection))
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => failing.ExecuteScalarAsync(TestContext.Current.CancellationToken));
            Assert.Equal(("40001", "could not serialize access"), (error.SqlState, error.MessageText));
        }

        await using (var other = new NpgsqlCommand("SELECT 2", connection))
        {
            Assert.Equal(2, await other.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }

        await _engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        await using var again = new NpgsqlCommand("SELECT 1", connection);
        Assert.Equal(1, await again.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RedisFault_OnAnHttpDependency_SaysToDeclareProtocolRedis()
    {
        await _engine.Manager.DisposeAsync();
        await UseAsync(new Dictionary<string, ProxyRoute> { ["api"] = new($"127.0.0.1:{LoopbackPort.Free()}", _redis.Address, "http") });

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _engine.Manager.InjectFaultAsync("redis_error", "analyzer", cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith("targets.analyzer.proxy.api.protocol: 'http' is not allowed; allowed: redis (redis_error acts on Redis commands", error.Message, StringComparison.Ordinal);
    }
}
