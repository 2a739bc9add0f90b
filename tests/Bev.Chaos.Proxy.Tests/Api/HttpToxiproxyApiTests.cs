using System.Net;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Proxy.Api;
using Bev.Chaos.Proxy.Tests.Protocols.Http;

namespace Bev.Chaos.Proxy.Tests.Api;

/// <summary>The HTTP toxics through the Toxiproxy-compatible API, over real HTTP, in front of a real nginx.</summary>
public sealed class HttpToxiproxyApiTests : IAsyncLifetime
{
    private ToxiproxyApiHost _api = null!;
    private NginxServer _nginx = null!;

    public async ValueTask InitializeAsync()
    {
        _nginx = await NginxServer.StartAsync();
        _api = await ToxiproxyApiHost.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _nginx.DisposeAsync();
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> CreateProxyAsync(string name, string protocol) =>
        _api.SendAsync(HttpMethod.Post, "/proxies", $$"""{"name":"{{name}}","listen":"127.0.0.1:0","upstream":"{{_nginx.Address}}","protocol":"{{protocol}}"}""");

    [Fact]
    public async Task HttpToxic_OnAnHttpProxy_IsAddedAndActs_WithItsHeadersAndCounts()
    {
        var (created, proxy) = await CreateProxyAsync("web", "http");
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("http", proxy.GetProperty("protocol").GetString());

        var (status, toxic) = await _api.SendAsync(HttpMethod.Post, "/proxies/web/toxics", """{"type":"http_replace","attributes":{"status":418,"headers":{"X-Chaos":"on","ETag":null},"json_patch":{"status":"teapot"}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("on", toxic.GetProperty("attributes").GetProperty("headers").GetProperty("X-Chaos").GetString());
        Assert.Equal(JsonValueKind.Null, toxic.GetProperty("attributes").GetProperty("headers").GetProperty("ETag").ValueKind);
        Assert.True(toxic.GetProperty("attributes").GetProperty("seed").GetInt64() >= 0);

        using var through = await new HttpClient().GetAsync($"http://{proxy.GetProperty("listen").GetString()}/api/items", TestContext.Current.CancellationToken);
        Assert.Equal((HttpStatusCode)418, through.StatusCode);
        Assert.Equal("on", through.Headers.GetValues("X-Chaos").Single());
        Assert.False(through.Headers.Contains("ETag"));
        Assert.Equal("{\"status\":\"teapot\",\"count\":3}", await through.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var listed = await _api.Http.GetAsync("/proxies/web/toxics", TestContext.Current.CancellationToken);
        var counts = JsonDocument.Parse(await listed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement[0];
        Assert.Equal((1, 1), (counts.GetProperty("matched").GetInt64(), counts.GetProperty("affected").GetInt64()));
    }

    [Theory]
    [InlineData("tcp", """{"type":"http_abort"}""", "type", "needs a proxy with protocol http")]
    [InlineData("http", """{"type":"http_abort","attributes":{"status":99}}""", "attributes.status", "99 is out of range (allowed: 100 to 599)")]
    [InlineData("http", """{"type":"http_abort","attributes":{"path":"api/*"}}""", "attributes.path", "starting with /")]
    [InlineData("http", """{"type":"http_abort","attributes":{"headers":{"Content-Length":"5"}}}""", "attributes.headers.Content-Length", "Content-Length and Transfer-Encoding are the proxy's")]
    [InlineData("http", """{"type":"http_abort","attributes":{"reset":"yes"}}""", "attributes.reset", "true or false")]
    [InlineData("http", """{"type":"http_delay","attributes":{"on":"later"}}""", "attributes.on", "request (the request")]
    [InlineData("http", """{"type":"http_replace","attributes":{"json_patch":"[1]"}}""", "attributes.json_patch", "a JSON object (or text holding one)")]
    [InlineData("http", """{"type":"http_delay","attributes":{"header_value":"("}}""", "attributes.header_value", "regular expression")]
    public async Task BadHttpToxic_Is400NamingTheFieldAndWhatIsAllowed(string protocol, string body, string field, string allowed)
    {
        await CreateProxyAsync("p", protocol);

        var (status, error) = await _api.SendAsync(HttpMethod.Post, "/proxies/p/toxics", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains(allowed, error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(_api.Proxies.Get("p").Toxics);
    }

    [Fact]
    public async Task NodeToxiproxyClient_AddsAnHttpToxic()
    {
        var seen = await _api.RunNodeClientAsync("check-http.js", _nginx.Address);
        Assert.Equal("http_abort", seen.GetProperty("type").GetString());
        Assert.Equal("7", seen.GetProperty("attributes").GetProperty("headers").GetProperty("Retry-After").GetString());

        using var http = new HttpClient();
        using var aborted = await http.GetAsync($"http://{seen.GetProperty("listen").GetString()}/api/items", TestContext.Current.CancellationToken);
        using var passed = await http.GetAsync($"http://{seen.GetProperty("listen").GetString()}/", TestContext.Current.CancellationToken);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "from node"), (aborted.StatusCode, await aborted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        Assert.Equal((HttpStatusCode.OK, "ok"), (passed.StatusCode, await passed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
    }
}
