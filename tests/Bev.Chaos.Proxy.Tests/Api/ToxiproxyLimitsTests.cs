using System.Net;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Proxy.Api;

namespace Bev.Chaos.Proxy.Tests.Api;

/// <summary>What the open Toxiproxy API refuses: listeners beyond loopback, odd names, too many proxies, cross-site and rebinding requests.</summary>
public sealed class ToxiproxyLimitsTests : IAsyncLifetime
{
    private ToxiproxyApiHost _api = null!;
    private EchoServer _upstream = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await ToxiproxyApiHost.StartAsync(new ToxiproxyApiOptions { MaxProxies = 3 });
        _upstream = EchoServer.Echo();
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private string Proxy(string name, string listen = "127.0.0.1:0") => $$"""{"name":{{JsonSerializer.Serialize(name)}},"listen":"{{listen}}","upstream":"{{_upstream.Address}}"}""";

    [Theory]
    [InlineData("0.0.0.0:18994")]
    [InlineData("[::]:18994")]
    [InlineData("192.0.2.10:18994")]
    public async Task CreateProxy_ListenBeyondLoopback_Is400NamingListen(string listen)
    {
        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies", Proxy("exposed", listen));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("listen", body.GetProperty("field").GetString());
        Assert.Equal($"listen: '{listen}' is not allowed (allowed: a loopback address such as 127.0.0.1:PORT; other addresses only when proxy.allowed_listen_addresses lists them)", body.GetProperty("error").GetString());
        Assert.Empty(_api.Proxies.All);
    }

    [Fact]
    public async Task CreateProxy_BodyOverOneMebibyte_Is413WithTheErrorBody()
    {
        var oversized = Proxy("big").Insert(1, $"\"padding\":\"{new string('x', 1024 * 1024 + 16)}\",");

        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies", oversized);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.StartsWith("bad request body: ", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(413, body.GetProperty("status").GetInt32());
        Assert.Empty(_api.Proxies.All);
    }

    [Fact]
    public async Task UpdateAndPopulate_ListenBeyondLoopback_AreRefusedWithNothingChanged()
    {
        var (_, created) = await _api.SendAsync(HttpMethod.Post, "/proxies", Proxy("db"));
        var listen = created.GetProperty("listen").GetString();

        var (updated, _) = await _api.SendAsync(HttpMethod.Post, "/proxies/db", """{"listen":"0.0.0.0:18995"}""");
        var (populated, _) = await _api.SendAsync(HttpMethod.Post, "/populate", $"[{Proxy("fresh")},{Proxy("db", "0.0.0.0:18996")}]");

        Assert.Equal(HttpStatusCode.BadRequest, updated);
        Assert.Equal(HttpStatusCode.BadRequest, populated);
        Assert.Equal(listen, Assert.Single(_api.Proxies.All).Listen);
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ünicode")]
    public async Task CreateProxy_OddName_Is400NamingName(string name)
    {
        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies", Proxy(name));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        if (name.Length > 0)
        {
            Assert.Equal("name", body.GetProperty("field").GetString());
            Assert.Equal($"name: '{name}' is not allowed (allowed: {ToxiproxyApi.AllowedNames})", body.GetProperty("error").GetString());
        }

        Assert.Empty(_api.Proxies.All);
    }

    [Fact]
    public async Task CreateProxy_NameOf101Characters_IsRefused_100Accepted()
    {
        var (tooLong, _) = await _api.SendAsync(HttpMethod.Post, "/proxies", Proxy(new string('a', 101)));
        var (fits, _) = await _api.SendAsync(HttpMethod.Post, "/proxies", Proxy("A-z_0.9" + new string('a', 93)));

        Assert.Equal(HttpStatusCode.BadRequest, tooLong);
        Assert.Equal(HttpStatusCode.Created, fits);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, "/proxies/A-z_0.9" + new string('a', 93))).Status);
    }

    [Fact]
    public async Task CreateProxy_BeyondMaxProxies_Is400()
    {
        foreach (var name in new[] { "p1", "p2", "p3" })
        {
            Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, "/proxies", Proxy(name))).Status);
        }

        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies", Proxy("p4"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("too many proxies: at most 3 may exist at once (delete some first)", body.GetProperty("error").GetString());
        Assert.Equal(3, _api.Proxies.All.Count);
    }

    [Fact]
    public async Task Populate_OneOddNameOrBeyondMax_CreatesNone()
    {
        var (oddName, _) = await _api.SendAsync(HttpMethod.Post, "/populate", $"[{Proxy("fine")},{Proxy("../../x")}]");
        var (tooMany, _) = await _api.SendAsync(HttpMethod.Post, "/populate", $"[{Proxy("q1")},{Proxy("q2")},{Proxy("q3")},{Proxy("q4")}]");

        Assert.Equal(HttpStatusCode.BadRequest, oddName);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany);
        Assert.Empty(_api.Proxies.All);
    }

    [Fact]
    public async Task CreateProxy_TextPlainBody_Is415()
    {
        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies", Proxy("form"), "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("Content-Type", body.GetProperty("field").GetString());
        Assert.Empty(_api.Proxies.All);
    }

    [Fact]
    public async Task CreateProxy_ForeignOrigin_Is403()
    {
        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/proxies", Proxy("csrf"), headers: r => r.Headers.Add("Origin", "http://evil.example"));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("Origin", body.GetProperty("field").GetString());
        Assert.Empty(_api.Proxies.All);
    }

    [Fact]
    public async Task Requests_ForeignHost_Are403()
    {
        var (created, body) = await _api.SendAsync(HttpMethod.Post, "/proxies", Proxy("rebound"), headers: r => r.Headers.Host = $"evil.example:{_api.Server.Url.Port}");
        var (listed, _) = await _api.SendAsync(HttpMethod.Get, "/proxies", headers: r => r.Headers.Host = $"evil.example:{_api.Server.Url.Port}");

        Assert.Equal(HttpStatusCode.Forbidden, created);
        Assert.Equal("Host", body.GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, listed);
        Assert.Empty(_api.Proxies.All);
    }

    [Fact]
    public async Task Reset_GoClientStyle_TextPlainWithoutBody_StillWorks()
    {
        // The Go client posts /reset as text/plain with an empty body: no body, nothing a form could abuse.
        var (status, _) = await _api.SendAsync(HttpMethod.Post, "/reset", string.Empty, "text/plain");
        var (local, _) = await _api.SendAsync(HttpMethod.Get, "/version", headers: r => r.Headers.Host = $"localhost:{_api.Server.Url.Port}");

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal(HttpStatusCode.OK, local);
    }
}
