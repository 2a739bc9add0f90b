using System.Net;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Proxy.Api;
using Bev.Chaos.Proxy.Tests.Protocols.Http;

namespace Bev.Chaos.Proxy.Tests.Api;

/// <summary>The HTTP toxics through the Toxiproxy-compatible API, over real HTTP, in front of a real nginx.</summary>
public sealed class HttpToxiproxyApiTests : IAsyncLifetime
{
    private readonly ProxyCollection _proxies = new();
    private ToxiproxyServer _server = null!;
    private HttpClient _http = null!;
    private NginxServer _nginx = null!;

    public async ValueTask InitializeAsync()
    {
        _nginx = await NginxServer.StartAsync();
        _server = await ToxiproxyServer.StartAsync(_proxies, "http://127.0.0.1:0", cancellationToken: TestContext.Current.CancellationToken);
        _http = new HttpClient { BaseAddress = _server.Url };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        await _proxies.DisposeAsync();
        await _nginx.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> CreateProxyAsync(string name, string protocol) =>
        SendAsync(HttpMethod.Post, "/proxies", $$"""{"name":"{{name}}","listen":"127.0.0.1:0","upstream":"{{_nginx.Address}}","protocol":"{{protocol}}"}""");

    [Fact]
    public async Task HttpToxic_OnAnHttpProxy_IsAddedAndActs_WithItsHeadersAndCounts()
    {
        var (created, proxy) = await CreateProxyAsync("web", "http");
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("http", proxy.GetProperty("protocol").GetString());

        var (status, toxic) = await SendAsync(HttpMethod.Post, "/proxies/web/toxics", """{"type":"http_replace","attributes":{"status":418,"headers":{"X-Chaos":"on","ETag":null},"json_patch":{"status":"teapot"}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("on", toxic.GetProperty("attributes").GetProperty("headers").GetProperty("X-Chaos").GetString());
        Assert.Equal(JsonValueKind.Null, toxic.GetProperty("attributes").GetProperty("headers").GetProperty("ETag").ValueKind);
        Assert.True(toxic.GetProperty("attributes").GetProperty("seed").GetInt64() >= 0);

        using var through = await new HttpClient().GetAsync($"http://{proxy.GetProperty("listen").GetString()}/api/items", TestContext.Current.CancellationToken);
        Assert.Equal((HttpStatusCode)418, through.StatusCode);
        Assert.Equal("on", through.Headers.GetValues("X-Chaos").Single());
        Assert.False(through.Headers.Contains("ETag"));
        Assert.Equal("{\"status\":\"teapot\",\"count\":3}", await through.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var listed = await _http.GetAsync("/proxies/web/toxics", TestContext.Current.CancellationToken);
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

        var (status, error) = await SendAsync(HttpMethod.Post, "/proxies/p/toxics", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains(allowed, error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(_proxies.Get("p").Toxics);
    }

    [Fact]
    public async Task NodeToxiproxyClient_AddsAnHttpToxic()
    {
        var clientDir = Path.Combine(AppContext.BaseDirectory, "client");
        if (!Directory.Exists(Path.Combine(clientDir, "node_modules", "toxiproxy-node-client")))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("CI=true: test.sh installs the npm client (tests/Bev.Chaos.Proxy.Tests/client), but it is missing");
            }

            Assert.Skip("the npm package toxiproxy-node-client is not installed (./test.sh installs it)");
        }

        using var node = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("node", [Path.Combine(clientDir, "check-http.js"), _server.Url.ToString().TrimEnd('/'), _nginx.Address])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = clientDir,
        })!;
        var output = await node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await node.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(node.ExitCode == 0, error);
        var seen = JsonDocument.Parse(output).RootElement;
        Assert.Equal("http_abort", seen.GetProperty("type").GetString());
        Assert.Equal("7", seen.GetProperty("attributes").GetProperty("headers").GetProperty("Retry-After").GetString());

        using var http = new HttpClient();
        using var aborted = await http.GetAsync($"http://{seen.GetProperty("listen").GetString()}/api/items", TestContext.Current.CancellationToken);
        using var passed = await http.GetAsync($"http://{seen.GetProperty("listen").GetString()}/", TestContext.Current.CancellationToken);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "from node"), (aborted.StatusCode, await aborted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        Assert.Equal((HttpStatusCode.OK, "ok"), (passed.StatusCode, await passed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
    }
}
