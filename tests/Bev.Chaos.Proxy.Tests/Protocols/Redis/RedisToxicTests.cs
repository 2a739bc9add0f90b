using System.Diagnostics;
using System.Text.Json.Nodes;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Proxy.Tests.Protocols.Redis;

/// <summary>The Redis toxics against a real <c>redis-server</c>, through a <c>redis</c> proxy, with a raw RESP client.</summary>
public sealed class RedisToxicTests : IAsyncLifetime
{
    private const string Loading = "-LOADING Redis is loading the dataset in memory";

    private readonly ProxyCollection _proxies = new();
    private RedisServer _redis = null!;
    private ChaosProxy _proxy = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _proxy = _proxies.Create("redis", null, _redis.Address, protocol: ProxyProtocol.Redis);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxies.DisposeAsync();
        await _redis.DisposeAsync();
    }

    internal static ToxicDefinition Toxic(string type, double? toxicity = null, string? name = null, params (string Key, JsonNode? Value)[] attributes) =>
        ToxicTypes.DefineFromJson(name, type, null, toxicity, attributes.ToDictionary(a => a.Key, a => a.Value));

    private static JsonArray Names(params string[] names) => new(names.Select(n => (JsonNode?)n).ToArray());

    [Fact]
    public async Task RedisError_OnMatchingCommandAndKey_AnswersTheErrorAndLeavesTheRest()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        Assert.Equal("+OK", await client.CallAsync("SET", "session:1", "a"));
        Assert.Equal("+OK", await client.CallAsync("SET", "user:1", "b"));

        _proxy.AddToxic(Toxic("redis_error", attributes: [("commands", Names("get", "MGET")), ("key", "session:*"), ("error", "LOADING")]));

        Assert.Equal(Loading, await client.CallAsync("GET", "session:1"));
        Assert.Equal("$b", await client.CallAsync("GET", "user:1"));
        Assert.Equal(Loading, await client.CallAsync("MGET", "user:1", "session:1"));
        Assert.Equal("*[$b]", await client.CallAsync("MGET", "user:1"));
        Assert.Equal("+OK", await client.CallAsync("SET", "session:1", "c"));
        Assert.Equal("+PONG", await client.CallAsync("PING"));
        Assert.Equal(2, _proxy.Counters["redis_error_downstream"].Matched);
        Assert.Equal(2, _proxy.Counters["redis_error_downstream"].Affected);

        // The SET went through: Redis has the new value, as the client sees once the toxic is gone.
        _proxy.RemoveToxic("redis_error_downstream");
        Assert.Equal("$c", await client.CallAsync("GET", "session:1"));
    }

    [Fact]
    public async Task RedisError_GivenText_IsSentAsWritten()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("redis_error", attributes: [("error", "-READONLY You can't write against a read only replica.")]));
        _proxy.AddToxic(Toxic("redis_error", name: "custom", attributes: [("error", "MYERR something custom")]));

        Assert.Equal("-READONLY You can't write against a read only replica.", await client.CallAsync("SET", "k", "v"));
    }

    [Fact]
    public async Task Pipeline_MixedSynthesizedAndRealReplies_ArriveInCommandOrder()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("redis_error", 0.5, attributes: [("commands", Names("GET")), ("error", "OOM"), ("seed", 7)]));
        const int count = 2000;
        var pipeline = new MemoryStream();
        for (var i = 0; i < count; i++)
        {
            // SET and GET alternate; every fifth GET is an inline command.
            pipeline.Write(RespClient.Command("SET", $"k{i}", $"v{i}"));
            pipeline.Write(i % 5 == 0 ? System.Text.Encoding.ASCII.GetBytes($"GET k{i}\r\n") : RespClient.Command("GET", $"k{i}"));
        }

        await client.SendAsync(pipeline.ToArray());
        var errors = 0;
        for (var i = 0; i < count; i++)
        {
            Assert.Equal("+OK", await client.ReadAsync());
            var reply = await client.ReadAsync();
            if (reply.StartsWith("-OOM", StringComparison.Ordinal))
            {
                errors++;
            }
            else
            {
                Assert.Equal($"$v{i}", reply);
            }
        }

        Assert.Equal("+PONG", await client.CallAsync("PING"));
        Assert.Equal(errors, _proxy.Counters["redis_error_downstream"].Affected);
        Assert.Equal(count, _proxy.Counters["redis_error_downstream"].Matched);
        Assert.InRange(errors, 1, count - 1);
    }

    [Fact]
    public async Task Toxicity_ShareOfErrors_IsWithinTheBinomialInterval()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        const double toxicity = 0.3;
        const int count = 4000;
        _proxy.AddToxic(Toxic("redis_error", toxicity, attributes: [("commands", Names("INCR"))]));
        var pipeline = new MemoryStream();
        for (var i = 0; i < count; i++)
        {
            pipeline.Write(RespClient.Command("INCR", "counter"));
        }

        await client.SendAsync(pipeline.ToArray());
        var errors = 0;
        for (var i = 0; i < count; i++)
        {
            errors += (await client.ReadAsync()).StartsWith('-') ? 1 : 0;
        }

        // 4.4 standard deviations: a correct toxic fails this about once in 100,000 runs.
        var sigma = Math.Sqrt(count * toxicity * (1 - toxicity));
        Assert.InRange(errors, count * toxicity - 4.4 * sigma, count * toxicity + 4.4 * sigma);

        // Redis saw exactly the INCRs that were not refused.
        _proxy.RemoveToxic("redis_error_downstream");
        Assert.Equal($"${count - errors}", await client.CallAsync("GET", "counter"));
    }

    [Fact]
    public async Task Seed_SameSeedTwice_AffectsTheSameCommands()
    {
        var first = await AffectedAsync(seed: 12345);
        var second = await AffectedAsync(seed: 12345);
        var other = await AffectedAsync(seed: 54321);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);

        async Task<List<int>> AffectedAsync(int seed)
        {
            _proxy.AddToxic(Toxic("redis_error", 0.5, name: "replay", attributes: [("seed", seed)]));
            using var client = await RespClient.ConnectAsync(_proxy.Listen);
            var affected = new List<int>();
            for (var i = 0; i < 200; i++)
            {
                if ((await client.CallAsync("PING")).StartsWith('-'))
                {
                    affected.Add(i);
                }
            }

            _proxy.RemoveToxic("replay");
            return affected;
        }
    }

    [Fact]
    public void Seed_NotGiven_IsDrawnAndReported()
    {
        var definition = _proxy.AddToxic(Toxic("redis_error", 0.5));

        Assert.True(definition.Attributes.ContainsKey("seed"), "a protocol toxic without a seed should report the one it drew");
    }

    [Fact]
    public async Task Multi_ErrorWhileQueueing_ExecAnswersExecAbortAndDiscards()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("redis_error", attributes: [("commands", Names("INCR")), ("error", "OOM")]));

        // Pipelined, as clients send transactions.
        await client.SendAsync([.. RespClient.Command("MULTI"), .. RespClient.Command("SET", "tx", "1"), .. RespClient.Command("INCR", "n"), .. RespClient.Command("EXEC"), .. RespClient.Command("GET", "tx")]);

        Assert.Equal("+OK", await client.ReadAsync());
        Assert.Equal("+QUEUED", await client.ReadAsync());
        Assert.Equal("-OOM command not allowed when used memory > 'maxmemory'.", await client.ReadAsync());
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.", await client.ReadAsync());
        Assert.Equal("$nil", await client.ReadAsync());

        // Redis left the transaction (DISCARD went in EXEC's place): a new one runs normally.
        Assert.Equal("+OK", await client.CallAsync("MULTI"));
        Assert.Equal("+QUEUED", await client.CallAsync("SET", "tx", "2"));
        Assert.Equal("*[+OK]", await client.CallAsync("EXEC"));
        Assert.Equal("$2", await client.CallAsync("GET", "tx"));
    }

    [Fact]
    public async Task Multi_ErrorOnExec_AbortsWithTheReason()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("redis_error", attributes: [("commands", Names("EXEC")), ("error", "READONLY")]));

        Assert.Equal("+OK", await client.CallAsync("MULTI"));
        Assert.Equal("+QUEUED", await client.CallAsync("SET", "tx", "1"));
        Assert.Equal("-EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.", await client.CallAsync("EXEC"));
        Assert.Equal("$nil", await client.CallAsync("GET", "tx"));
        _proxy.RemoveToxic("redis_error_downstream");
        Assert.Equal("-ERR EXEC without MULTI", await client.CallAsync("EXEC"));
    }

    [Fact]
    public async Task Multi_NoInjectedError_RunsAsWritten()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("redis_error", attributes: [("commands", Names("INCR")), ("key", "other")]));

        Assert.Equal("+OK", await client.CallAsync("MULTI"));
        Assert.Equal("+QUEUED", await client.CallAsync("INCR", "n"));
        Assert.Equal("*[:1]", await client.CallAsync("EXEC"));
    }

    [Fact]
    public async Task Resp3_MapsAndPushes_KeepOrderAroundErrors()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        Assert.StartsWith("%{", await client.CallAsync("HELLO", "3"));
        Assert.Equal(":2", await client.CallAsync("HSET", "h", "a", "1", "b", "2"));
        _proxy.AddToxic(Toxic("redis_error", attributes: [("commands", Names("GET")), ("error", "LOADING")]));

        await client.SendAsync([.. RespClient.Command("HGETALL", "h"), .. RespClient.Command("GET", "x"), .. RespClient.Command("CLIENT", "TRACKING", "on"), .. RespClient.Command("GET", "h"), .. RespClient.Command("HGET", "h", "a"), .. RespClient.Command("HSET", "h", "a", "3")]);

        Assert.Equal("%{$a=$1,$b=$2}", await client.ReadAsync());
        Assert.Equal(Loading, await client.ReadAsync());
        Assert.Equal("+OK", await client.ReadAsync());
        Assert.Equal(Loading, await client.ReadAsync());
        Assert.Equal("$1", await client.ReadAsync());

        // HGET made Redis track "h": the HSET's invalidation push comes out of band, before or
        // after the HSET's own reply, and is not taken for a reply.
        var rest = new[] { await client.ReadAsync(), await client.ReadAsync() };
        Assert.Contains(":0", rest);
        Assert.Contains(rest, r => r.StartsWith(">[$invalidate", StringComparison.Ordinal));
        Assert.Equal("+PONG", await client.CallAsync("PING"));
    }

    [Fact]
    public async Task RedisDelay_HoldsMatchingCommandsOnly()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        var baseline = await TimeAsync(() => client.CallAsync("GET", "k"));
        _proxy.AddToxic(Toxic("redis_delay", attributes: [("commands", Names("GET")), ("delay_ms", 150)]));

        var delayed = await TimeAsync(() => client.CallAsync("GET", "k"));
        var other = await TimeAsync(() => client.CallAsync("PING"));

        Assert.InRange(delayed.TotalMilliseconds, 150, 150 + 100 + baseline.TotalMilliseconds);
        Assert.True(other < TimeSpan.FromMilliseconds(100), $"PING should not be delayed (took {other.TotalMilliseconds:F1} ms)");
    }

    [Fact]
    public async Task RedisDelay_PipelinedCommands_AreDelayedFromTheirArrivalNotOneAfterAnother()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("redis_delay", attributes: [("delay_ms", 200)]));
        var started = Stopwatch.GetTimestamp();
        await client.SendAsync([.. RespClient.Command("PING"), .. RespClient.Command("PING"), .. RespClient.Command("PING"), .. RespClient.Command("PING"), .. RespClient.Command("PING")]);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("+PONG", await client.ReadAsync());
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.InRange(elapsed.TotalMilliseconds, 200, 200 + 400);
    }

    [Fact]
    public async Task RemovingTheToxic_OnAnOpenConnection_RestoresRealReplies()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("redis_error", attributes: [("error", "LOADING")]));
        Assert.Equal(Loading, await client.CallAsync("PING"));

        _proxy.RemoveToxic("redis_error_downstream");

        Assert.Equal("+PONG", await client.CallAsync("PING"));
        Assert.Equal("+OK", await client.CallAsync("SET", "k", "v"));
        Assert.Equal("$v", await client.CallAsync("GET", "k"));
    }

    [Fact]
    public async Task ToxicAdded_ToAConnectionOpenedBefore_ActsFromItsNextCommand()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        Assert.Equal("+PONG", await client.CallAsync("PING"));

        _proxy.AddToxic(Toxic("redis_error", attributes: [("error", "LOADING")]));

        Assert.Equal(Loading, await client.CallAsync("PING"));
    }

    [Fact]
    public async Task Subscribe_PassesThroughUntouched()
    {
        using var subscriber = await RespClient.ConnectAsync(_proxy.Listen);
        using var publisher = await RespClient.ConnectAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("redis_error", attributes: [("commands", Names("GET"))]));

        Assert.Equal("*[$subscribe,$news,:1]", await subscriber.CallAsync("SUBSCRIBE", "news"));
        Assert.Equal(":1", await publisher.CallAsync("PUBLISH", "news", "hello"));
        Assert.Equal("*[$message,$news,$hello]", await subscriber.ReadAsync());
    }

    [Fact]
    public async Task LargeValues_SplitAcrossReads_ArriveIntact()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        _proxy.AddToxic(Toxic("redis_error", attributes: [("commands", Names("GET")), ("key", "blocked")]));
        var value = new string('x', 3 * 1024 * 1024);

        Assert.Equal("+OK", await client.CallAsync("SET", "big", value));
        Assert.Equal("$" + value, await client.CallAsync("GET", "big"));
        Assert.StartsWith("-ERR", await client.CallAsync("GET", "blocked"));
    }

    [Fact]
    public async Task RedisCli_SeesTheInjectedError()
    {
        Requires.Program("redis-cli");
        _proxy.AddToxic(Toxic("redis_error", attributes: [("commands", Names("GET")), ("key", "cache:*"), ("error", "LOADING")]));
        var port = _proxy.Listen.Split(':')[1];

        var (set, _) = await RunAsync("redis-cli", "-h", "127.0.0.1", "-p", port, "SET", "cache:1", "v");
        var (refused, _) = await RunAsync("redis-cli", "-h", "127.0.0.1", "-p", port, "GET", "cache:1");
        var (other, _) = await RunAsync("redis-cli", "-h", "127.0.0.1", "-p", port, "GET", "nocache");

        Assert.Equal("OK", set.Trim());
        Assert.Equal("LOADING Redis is loading the dataset in memory", refused.Trim());
        Assert.Equal(string.Empty, other.Trim());
    }

    [Fact]
    public void RedisToxic_OnATcpProxy_IsRefusedNamingTheProtocol()
    {
        var tcp = _proxies.Create("plain", null, _redis.Address);

        var error = Assert.Throws<ProxyException>(() => tcp.AddToxic(Toxic("redis_error")));

        Assert.Equal(400, error.Status);
        Assert.Equal("type", error.Field);
        Assert.Equal("type: 'redis_error' needs a proxy with protocol redis, and proxy 'plain' has protocol tcp (allowed on it: bandwidth, latency, limit_data, reset_peer, slicer, slow_close, timeout)", error.Message);
    }

    [Fact]
    public async Task L4Toxics_OnARedisProxy_StillApply()
    {
        using var client = await RespClient.ConnectAsync(_proxy.Listen);
        _proxy.AddToxic(ToxicTypes.Define(null, "latency", "downstream", null, new Dictionary<string, long> { ["latency"] = 100 }));
        _proxy.AddToxic(Toxic("redis_error", attributes: [("commands", Names("GET"))]));

        var pong = await TimeAsync(async () => Assert.Equal("+PONG", await client.CallAsync("PING")));
        var error = await TimeAsync(async () => Assert.StartsWith("-ERR injected", await client.CallAsync("GET", "k")));

        Assert.True(pong >= TimeSpan.FromMilliseconds(100), $"the latency toxic should delay replies from Redis ({pong.TotalMilliseconds:F1} ms)");
        Assert.True(error < TimeSpan.FromMilliseconds(90), $"a synthesized reply does not come from Redis ({error.TotalMilliseconds:F1} ms)");
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<(string Out, string Err)> RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        return (await output, await error);
    }
}
