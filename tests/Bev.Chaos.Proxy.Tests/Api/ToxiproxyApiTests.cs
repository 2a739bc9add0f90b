using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Proxy.Api;

namespace Bev.Chaos.Proxy.Tests.Api;

/// <summary>Every endpoint, status code and error shape of the Toxiproxy API, over real HTTP.</summary>
public sealed class ToxiproxyApiTests : IAsyncLifetime
{
    private ToxiproxyApiHost _api = null!;
    private EchoServer _upstream = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await ToxiproxyApiHost.StartAsync();
        _upstream = EchoServer.Echo();
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> CreateProxyAsync(string name = "redis") =>
        _api.SendAsync(HttpMethod.Post, "/proxies", $$"""{"name":"{{name}}","listen":"127.0.0.1:0","upstream":"{{_upstream.Address}}"}""");

    [Fact]
    public async Task Version_ReportsAVersion()
    {
        var (status, body) = await _api.SendAsync(HttpMethod.Get, "/version");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("2.", body.GetProperty("version").GetString());
    }

    [Fact]
    public async Task CreateProxy_Returns201WithToxiproxyShape()
    {
        var (status, body) = await CreateProxyAsync();

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("redis", body.GetProperty("name").GetString());
        Assert.Matches(@"^127\.0\.0\.1:\d+$", body.GetProperty("listen").GetString());
        Assert.NotEqual("127.0.0.1:0", body.GetProperty("listen").GetString());
        Assert.Equal(_upstream.Address, body.GetProperty("upstream").GetString());
        Assert.True(body.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, body.GetProperty("toxics").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}""", 400, "missing required field: name")]
    [InlineData("""{"name":"x","listen":"127.0.0.1:0"}""", 400, "missing required field: upstream")]
    [InlineData("""{"name":"x","listen":"nowhere","upstream":"127.0.0.1:1"}""", 400, "listen: 'nowhere' is not an address (allowed: HOST:PORT, e.g. 127.0.0.1:26379)")]
    [InlineData("""{"name":"x","enabled":"yes","upstream":"127.0.0.1:1"}""", 400, "bad request body: enabled must be true or false, not \"yes\"")]
    [InlineData("""{"name": "x", """, 400, null)]
    public async Task CreateProxy_BadBody_Is400WithErrorShape(string json, int code, string? message)
    {
        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies", json);

        Assert.Equal(code, (int)status);
        Assert.Equal(code, body.GetProperty("status").GetInt32());
        if (message is not null)
        {
            Assert.Equal(message, body.GetProperty("error").GetString());
        }
        else
        {
            Assert.StartsWith("bad request body: ", body.GetProperty("error").GetString());
        }

        Assert.Empty(_api.Proxies.All);
    }

    [Fact]
    public async Task CreateProxy_TwiceOrOnTakenAddress_Is409()
    {
        var (_, first) = await CreateProxyAsync();
        var (again, error) = await CreateProxyAsync();
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("proxy already exists", error.GetProperty("error").GetString());

        var taken = first.GetProperty("listen").GetString();
        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies", $$"""{"name":"other","listen":"{{taken}}","upstream":"{{_upstream.Address}}"}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal($"listen address already in use: {taken}", body.GetProperty("error").GetString());
        Assert.Single(_api.Proxies.All);
    }

    [Fact]
    public async Task ProxyLifecycle_ListShowUpdateDelete()
    {
        await CreateProxyAsync("a");
        await CreateProxyAsync("b");

        var (listStatus, list) = await _api.SendAsync(HttpMethod.Get, "/proxies");
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Equal(["a", "b"], list.EnumerateObject().Select(p => p.Name).Order());

        var (showStatus, shown) = await _api.SendAsync(HttpMethod.Get, "/proxies/a");
        Assert.Equal(HttpStatusCode.OK, showStatus);
        Assert.Equal("a", shown.GetProperty("name").GetString());

        var (patchStatus, patched) = await _api.SendAsync(HttpMethod.Patch, "/proxies/a", """{"enabled":false}""");
        Assert.Equal(HttpStatusCode.OK, patchStatus);
        Assert.False(patched.GetProperty("enabled").GetBoolean());
        var (postStatus, posted) = await _api.SendAsync(HttpMethod.Post, "/proxies/a", """{"enabled":true}""");
        Assert.Equal(HttpStatusCode.OK, postStatus);
        Assert.True(posted.GetProperty("enabled").GetBoolean());

        var (deleteStatus, _) = await _api.SendAsync(HttpMethod.Delete, "/proxies/a");
        Assert.Equal(HttpStatusCode.NoContent, deleteStatus);
        var (missing, error) = await _api.SendAsync(HttpMethod.Get, "/proxies/a");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("""{"error":"proxy not found","status":404}""", error.GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Delete, "/proxies/a")).Status);
    }

    [Fact]
    public async Task Populate_CreatesAndUpdates_Returns201()
    {
        await CreateProxyAsync("kept");

        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/populate",
            $$"""[{"name":"kept","upstream":"{{_upstream.Address}}","enabled":false},{"name":"new","listen":"127.0.0.1:0","upstream":"{{_upstream.Address}}"}]""");

        Assert.Equal(HttpStatusCode.Created, status);
        var proxies = body.GetProperty("proxies").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.False(proxies["kept"].GetProperty("enabled").GetBoolean());
        Assert.True(proxies["new"].GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Toxics_CreateWithDefaults_ShowUpdateDelete()
    {
        await CreateProxyAsync();

        var (created, toxic) = await _api.SendAsync(HttpMethod.Post, "/proxies/redis/toxics", """{"type":"latency","attributes":{"latency":100,"jitter":20}}""");
        Assert.Equal(HttpStatusCode.OK, created);
        Assert.Equal("latency_downstream", toxic.GetProperty("name").GetString());
        Assert.Equal("downstream", toxic.GetProperty("stream").GetString());
        Assert.Equal(1.0, toxic.GetProperty("toxicity").GetDouble());
        Assert.Equal(100, toxic.GetProperty("attributes").GetProperty("latency").GetInt64());

        var (duplicate, dupError) = await _api.SendAsync(HttpMethod.Post, "/proxies/redis/toxics", """{"type":"latency"}""");
        Assert.Equal(HttpStatusCode.Conflict, duplicate);
        Assert.Equal("toxic already exists", dupError.GetProperty("error").GetString());

        var (listStatus, list) = await _api.SendAsync(HttpMethod.Get, "/proxies/redis/toxics");
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Equal(1, list.GetArrayLength());

        var (patched, updated) = await _api.SendAsync(HttpMethod.Patch, "/proxies/redis/toxics/latency_downstream", """{"attributes":{"latency":300},"toxicity":0.5}""");
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal(300, updated.GetProperty("attributes").GetProperty("latency").GetInt64());
        Assert.Equal(20, updated.GetProperty("attributes").GetProperty("jitter").GetInt64());
        Assert.Equal(0.5, updated.GetProperty("toxicity").GetDouble());

        var (shown, show) = await _api.SendAsync(HttpMethod.Get, "/proxies/redis/toxics/latency_downstream");
        Assert.Equal(HttpStatusCode.OK, shown);
        Assert.Equal(300, show.GetProperty("attributes").GetProperty("latency").GetInt64());

        var (proxyStatus, proxy) = await _api.SendAsync(HttpMethod.Get, "/proxies/redis");
        Assert.Equal(HttpStatusCode.OK, proxyStatus);
        Assert.Equal(1, proxy.GetProperty("toxics").GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, "/proxies/redis/toxics/latency_downstream")).Status);
        var (gone, goneError) = await _api.SendAsync(HttpMethod.Get, "/proxies/redis/toxics/latency_downstream");
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal("toxic not found", goneError.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("""{"type":"teleport"}""", "invalid toxic type: 'teleport' (allowed: bandwidth, http_abort, http_delay, http_replace, latency, limit_data, postgres_delay, postgres_error, redis_delay, redis_error, reset_peer, slicer, slow_close, timeout)")]
    [InlineData("""{"type":"latency","stream":"sideways"}""", "stream was invalid, can be either upstream or downstream: 'sideways'")]
    [InlineData("""{"type":"latency","attributes":{"latency":-5}}""", "attributes.latency: -5 is out of range (allowed: 0 to 3600000)")]
    [InlineData("""{"type":"latency","attributes":{"delay":5}}""", "attributes.delay: not an attribute of latency (allowed: latency, jitter)")]
    [InlineData("""{"type":"latency","toxicity":1.5}""", "toxicity: 1.5 is out of range (allowed: 0.0 to 1.0)")]
    [InlineData("""{"type":"bandwidth","attributes":{"rate":"fast"}}""", "attributes.rate: \"fast\" is not a whole number")]
    public async Task Toxics_BadDefinitions_Are400(string json, string message)
    {
        await CreateProxyAsync();

        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies/redis/toxics", json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(message, body.GetProperty("error").GetString());
        Assert.Equal(400, body.GetProperty("status").GetInt32());
        Assert.Empty(_api.Proxies.Get("redis").Toxics);
    }

    [Fact]
    public async Task Toxics_OnUnknownProxy_Are404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Get, "/proxies/none/toxics")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Post, "/proxies/none/toxics", """{"type":"latency"}""")).Status);
        await CreateProxyAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Patch, "/proxies/redis/toxics/none", """{"toxicity":1}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Delete, "/proxies/redis/toxics/none")).Status);
    }

    [Fact]
    public async Task Reset_EnablesAllAndRemovesToxics()
    {
        await CreateProxyAsync();
        await _api.SendAsync(HttpMethod.Post, "/proxies/redis/toxics", """{"type":"timeout"}""");
        await _api.SendAsync(HttpMethod.Patch, "/proxies/redis", """{"enabled":false}""");

        var (status, _) = await _api.SendAsync(HttpMethod.Post, "/reset");

        Assert.Equal(HttpStatusCode.NoContent, status);
        var proxy = _api.Proxies.Get("redis");
        Assert.True(proxy.Enabled);
        Assert.Empty(proxy.Toxics);
    }

    [Fact]
    public async Task ToxicThroughApi_ActsOnTraffic()
    {
        var (_, created) = await CreateProxyAsync();
        var proxy = _api.Proxies.Get("redis");
        using var client = await ProxyClient.ConnectAsync(proxy);
        await client.RoundTripAsync();
        Assert.True((await client.RoundTripAsync()).TotalMilliseconds < 40);

        await _api.SendAsync(HttpMethod.Post, "/proxies/redis/toxics", """{"type":"latency","stream":"upstream","attributes":{"latency":80}}""");

        Assert.InRange((await client.RoundTripAsync()).TotalMilliseconds, 78, 120);
        Assert.NotNull(created.GetProperty("listen").GetString());
    }

    [Fact]
    public async Task NodeToxiproxyClient_DrivesTheApiUnchanged()
    {
        var seen = await _api.RunNodeClientAsync("check.js", _upstream.Address);
        Assert.Equal("latency_downstream", seen.GetProperty("toxic").GetString());
        Assert.Equal(300, seen.GetProperty("latency").GetInt32());
        Assert.True(seen.GetProperty("removed").GetBoolean());
        Assert.Contains("node_client", seen.GetProperty("proxies").EnumerateArray().Select(p => p.GetString()));
        Assert.Contains("2.", seen.GetProperty("version").GetString());
        Assert.Empty(_api.Proxies.All);
    }
}
