using System.Net;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Proxy.Api;
using Bev.Chaos.Proxy.Tests.Protocols.Redis;

namespace Bev.Chaos.Proxy.Tests.Api;

/// <summary>The Redis toxics through the Toxiproxy-compatible API, over real HTTP, in front of a real redis-server.</summary>
public sealed class RedisToxiproxyApiTests : IAsyncLifetime
{
    private ToxiproxyApiHost _api = null!;
    private RedisServer _redis = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _api = await ToxiproxyApiHost.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> CreateProxyAsync(string name = "cache", string protocol = "redis") =>
        _api.SendAsync(HttpMethod.Post, "/proxies", $$"""{"name":"{{name}}","listen":"127.0.0.1:0","upstream":"{{_redis.Address}}","protocol":"{{protocol}}"}""");

    [Fact]
    public async Task CreateProxy_WithProtocolRedis_ReportsIt()
    {
        var (status, body) = await CreateProxyAsync();

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("redis", body.GetProperty("protocol").GetString());
        Assert.Equal(ProxyProtocol.Redis, _api.Proxies.Get("cache").Protocol);
    }

    [Fact]
    public async Task CreateProxy_UnknownProtocol_Is400NamingTheField()
    {
        var (status, body) = await CreateProxyAsync(protocol: "memcached");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("protocol", body.GetProperty("field").GetString());
        Assert.Equal("protocol: 'memcached' is not a protocol this proxy speaks (allowed: tcp, http, redis, postgres)", body.GetProperty("error").GetString());
        Assert.Empty(_api.Proxies.All);
    }

    [Fact]
    public async Task AddToxic_RedisError_ActsAndReportsItsCounts()
    {
        var (_, proxy) = await CreateProxyAsync();
        var (status, toxic) = await _api.SendAsync(HttpMethod.Post, "/proxies/cache/toxics", """{"type":"redis_error","attributes":{"commands":["get"],"key":"a*","error":"-LOADING"}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("redis_error_downstream", toxic.GetProperty("name").GetString());
        var attributes = toxic.GetProperty("attributes");
        Assert.Equal(["GET"], attributes.GetProperty("commands").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("a*", attributes.GetProperty("key").GetString());
        Assert.Equal("LOADING Redis is loading the dataset in memory", attributes.GetProperty("error").GetString());
        Assert.True(attributes.GetProperty("seed").GetInt64() >= 0, "a seed is drawn and reported");

        using var client = await RespClient.ConnectAsync(proxy.GetProperty("listen").GetString()!);
        Assert.Equal("-LOADING Redis is loading the dataset in memory", await client.CallAsync("GET", "abc"));
        Assert.Equal("$nil", await client.CallAsync("GET", "xyz"));

        var (_, seen) = await _api.SendAsync(HttpMethod.Get, "/proxies/cache/toxics/redis_error_downstream");
        Assert.Equal(1, seen.GetProperty("matched").GetInt64());
        Assert.Equal(1, seen.GetProperty("affected").GetInt64());
        var (_, listed) = await _api.SendAsync(HttpMethod.Get, "/proxies/cache/toxics");
        Assert.Equal(1, listed[0].GetProperty("matched").GetInt64());
    }

    [Fact]
    public async Task UpdateToxic_Toxicity_KeepsCommandsKeyAndSeed()
    {
        await CreateProxyAsync();
        await _api.SendAsync(HttpMethod.Post, "/proxies/cache/toxics", """{"type":"redis_delay","toxicity":0.5,"attributes":{"commands":["SET"],"key":"k","delay_ms":20,"seed":7}}""");

        var (status, updated) = await _api.SendAsync(HttpMethod.Post, "/proxies/cache/toxics/redis_delay_downstream", """{"toxicity":0.25,"attributes":{"delay_ms":40}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0.25, updated.GetProperty("toxicity").GetDouble());
        var attributes = updated.GetProperty("attributes");
        Assert.Equal(40, attributes.GetProperty("delay_ms").GetInt64());
        Assert.Equal(7, attributes.GetProperty("seed").GetInt64());
        Assert.Equal("k", attributes.GetProperty("key").GetString());
        Assert.Equal(["SET"], attributes.GetProperty("commands").EnumerateArray().Select(c => c.GetString()));
    }

    [Theory]
    [InlineData("""{"type":"redis_error","attributes":{"commands":[]}}""", "attributes.commands", "attributes.commands: [] is not allowed (allowed: a non-empty list of Redis command names such as [\"GET\", \"SET\"] (leave it out for every command))")]
    [InlineData("""{"type":"redis_error","attributes":{"commands":"GET"}}""", "attributes.commands", "attributes.commands: \"GET\" is not allowed (allowed: a non-empty list of Redis command names such as [\"GET\", \"SET\"] (leave it out for every command))")]
    [InlineData("""{"type":"redis_error","attributes":{"commands":["GET","1x"]}}""", "attributes.commands", "attributes.commands: \"1x\" is not allowed (allowed: a non-empty list of Redis command names such as [\"GET\", \"SET\"] (leave it out for every command))")]
    [InlineData("""{"type":"redis_error","attributes":{"error":"two\r\nlines"}}""", "attributes.error", "attributes.error: \"two\\r\\nlines\" is not allowed (allowed: an error line of 1 to 4096 characters without CR or LF, e.g. \"LOADING Redis is loading the dataset in memory\", or one of BUSY, CLUSTERDOWN, LOADING, MASTERDOWN, MISCONF, NOAUTH, NOSCRIPT, OOM, READONLY, TRYAGAIN alone for Redis' own line)")]
    [InlineData("""{"type":"redis_error","attributes":{"key":""}}""", "attributes.key", "attributes.key: \"\" is not allowed (allowed: a glob of 1 to 1024 characters without CR or LF (* ? [abc] [a-z] [^a] \\x), e.g. \"session:*\")")]
    [InlineData("""{"type":"redis_error","attributes":{"delay_ms":5}}""", "attributes.delay_ms", "attributes.delay_ms: not an attribute of redis_error (allowed: commands, key, error, seed)")]
    [InlineData("""{"type":"redis_delay","attributes":{"delay_ms":3600001}}""", "attributes.delay_ms", "attributes.delay_ms: 3600001 is out of range (allowed: 0 to 3600000)")]
    [InlineData("""{"type":"redis_delay","attributes":{"seed":-1}}""", "attributes.seed", "attributes.seed: -1 is out of range (allowed: 0 to 2147483647)")]
    [InlineData("""{"type":"redis_delay","attributes":{"seed":1.5}}""", "attributes.seed", "attributes.seed: 1.5 is not a whole number")]
    [InlineData("""{"type":"redis_error","toxicity":2}""", "toxicity", "toxicity: 2 is out of range (allowed: 0.0 to 1.0)")]
    public async Task AddToxic_BadAttributes_Are400NamingFieldValueAndWhatIsAllowed(string json, string field, string message)
    {
        await CreateProxyAsync();

        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies/cache/toxics", json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(message, body.GetProperty("error").GetString());
        Assert.Equal(field, body.GetProperty("field").GetString());
        Assert.Empty(_api.Proxies.Get("cache").Toxics);
    }

    [Fact]
    public async Task AddToxic_RedisErrorOnATcpProxy_Is400()
    {
        await CreateProxyAsync(protocol: "tcp");

        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies/cache/toxics", """{"type":"redis_error"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("type", body.GetProperty("field").GetString());
        Assert.StartsWith("type: 'redis_error' needs a proxy with protocol redis, and proxy 'cache' has protocol tcp", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task UpdateProxy_ChangingTheProtocol_Is400()
    {
        await CreateProxyAsync();

        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies/cache", """{"protocol":"tcp"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("protocol: 'tcp' cannot be set on proxy 'cache' (it has protocol redis; a proxy's protocol is fixed when it is created)", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Populate_WithProtocol_CreatesARedisProxy()
    {
        var (status, _) = await _api.SendAsync(HttpMethod.Post, "/populate", $$"""[{"name":"pop","listen":"127.0.0.1:0","upstream":"{{_redis.Address}}","protocol":"redis"}]""");

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(ProxyProtocol.Redis, _api.Proxies.Get("pop").Protocol);
    }

    [Fact]
    public async Task NodeToxiproxyClient_AddsARedisToxic()
    {
        var seen = await _api.RunNodeClientAsync("check-redis.js", _redis.Address);
        Assert.Equal("redis_error", seen.GetProperty("type").GetString());
        Assert.Equal(1.0, seen.GetProperty("toxicity").GetDouble());
        Assert.Equal(42, seen.GetProperty("attributes").GetProperty("seed").GetInt64());

        using var client = await RespClient.ConnectAsync(seen.GetProperty("listen").GetString()!);
        Assert.Equal("-LOADING Redis is loading the dataset in memory", await client.CallAsync("GET", "node:1"));
        Assert.Equal("+PONG", await client.CallAsync("PING"));
    }
}
