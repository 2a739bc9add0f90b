using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace Bev.Chaos.Proxy.Tests.Protocols.Redis;

/// <summary>The Redis toxics seen by a real .NET client (StackExchange.Redis), which pipelines everything on one connection.</summary>
public sealed class StackExchangeRedisTests : IAsyncLifetime
{
    private readonly ProxyCollection _proxies = new();
    private RedisServer _redis = null!;
    private ChaosProxy _proxy = null!;
    private ConnectionMultiplexer _client = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _proxy = _proxies.Create("redis", null, _redis.Address, protocol: ProxyProtocol.Redis);
        _client = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { _proxy.Listen },
            AbortOnConnectFail = true,
            ConnectTimeout = 10_000,
            SyncTimeout = 10_000,
            AsyncTimeout = 10_000,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _proxies.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task RedisError_ClientGetsRedisServerExceptionForMatchingCommandsOnly()
    {
        var db = _client.GetDatabase();
        await db.StringSetAsync("orders:1", "a");
        _proxy.AddToxic(RedisToxicTests.Toxic("redis_error", attributes: [("commands", new JsonArray("GET")), ("key", "orders:*"), ("error", "LOADING")]));

        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.StringGetAsync("orders:1"));
        Assert.Equal("LOADING Redis is loading the dataset in memory", error.Message);
        Assert.True(await db.StringSetAsync("orders:2", "b"));
        Assert.True(await db.StringSetAsync("other", "c"));
        Assert.Equal("c", (string?)await db.StringGetAsync("other"));
    }

    [Fact]
    public async Task ConcurrentCommands_OnOneMultiplexedConnection_EachGetTheirOwnReply()
    {
        var db = _client.GetDatabase();
        _proxy.AddToxic(RedisToxicTests.Toxic("redis_error", 0.4, attributes: [("commands", new JsonArray("GET")), ("seed", 99)]));
        const int count = 1000;
        for (var i = 0; i < count; i++)
        {
            _ = db.StringSetAsync($"k{i}", $"v{i}", flags: CommandFlags.FireAndForget);
        }

        var gets = Enumerable.Range(0, count).Select(async i =>
        {
            try
            {
                return (i, Value: (string?)await db.StringGetAsync($"k{i}"), Failed: false);
            }
            catch (RedisServerException)
            {
                return (i, Value: (string?)null, Failed: true);
            }
        }).ToList();
        var results = await Task.WhenAll(gets);

        Assert.All(results.Where(r => !r.Failed), r => Assert.Equal($"v{r.i}", r.Value));
        var failed = results.Count(r => r.Failed);
        Assert.Equal(failed, _proxy.Counters["redis_error_downstream"].Affected);
        Assert.InRange(failed, 1, count - 1);
    }

    [Fact]
    public async Task Transaction_WithAnInjectedError_IsNotCommitted()
    {
        var db = _client.GetDatabase();
        _proxy.AddToxic(RedisToxicTests.Toxic("redis_error", attributes: [("commands", new JsonArray("INCR")), ("error", "OOM")]));
        var transaction = db.CreateTransaction();
        _ = transaction.StringSetAsync("tx:a", "1");
        _ = transaction.StringIncrementAsync("tx:n");

        await Assert.ThrowsAnyAsync<RedisException>(() => transaction.ExecuteAsync());

        Assert.False(await db.KeyExistsAsync("tx:a"), "an aborted transaction must not have run its SET");
        Assert.Equal("PONG", (await db.ExecuteAsync("PING")).ToString());
    }
}
