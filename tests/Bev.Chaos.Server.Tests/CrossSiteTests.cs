using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Server.Tests;

/// <summary>The open (loopback, no tokens) chaos API refuses what a web page or a DNS-rebinding page could send; its own clients pass.</summary>
public sealed class CrossSiteTests : IAsyncLifetime
{
    private readonly TestProcess _target = TestProcess.Sleeper();
    private ServerUnderTest _running = null!;

    public async ValueTask InitializeAsync() => _running = await ServerUnderTest.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _running.DisposeAsync();
        _target.Dispose();
    }

    private string Fault => $$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":30}""";

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostFaultAsync(string contentType, string? origin = null, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/faults") { Content = new StringContent(Fault, Encoding.UTF8, contentType) };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await _running.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task AssertNoFaultAsync()
    {
        Assert.Empty(await _running.Engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
        Assert.True(_target.State is 'R' or 'S', "not stopped: the refused request had no effect");
    }

    [Fact]
    public async Task PostFault_BodyOver256KiB_Is413WithTheErrorBody()
    {
        var oversized = Fault.Insert(1, $"\"padding\":\"{new string('x', 300 * 1024)}\",");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/faults") { Content = new StringContent(oversized, Encoding.UTF8, "application/json") };

        using var response = await _running.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal("(body)", body.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
        await AssertNoFaultAsync();
    }

    [Fact]
    public async Task PostFault_TextPlain_Is415WithTheErrorBody()
    {
        var (status, body) = await PostFaultAsync("text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("Content-Type", body.GetProperty("field").GetString());
        Assert.Equal("application/json", body.GetProperty("allowed").GetString());
        await AssertNoFaultAsync();
    }

    [Fact]
    public async Task PostFault_ForeignOrigin_Is403()
    {
        var (status, body) = await PostFaultAsync("application/json", origin: "http://evil.example");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("Origin", body.GetProperty("field").GetString());
        Assert.Equal("Origin 'http://evil.example' is not this listener's own (cross-site requests are refused)", body.GetProperty("error").GetString());
        await AssertNoFaultAsync();
    }

    [Fact]
    public async Task PostFault_ForeignHost_Is403()
    {
        var (status, body) = await PostFaultAsync("application/json", host: $"evil.example:{_running.Server.Url.Port}");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("Host", body.GetProperty("field").GetString());
        await AssertNoFaultAsync();
    }

    [Fact]
    public async Task PostFault_AllThreeAtOnce_AsTheProbeSentIt_IsRefused()
    {
        var (status, _) = await PostFaultAsync("text/plain", origin: "http://evil.example", host: $"evil.example:{_running.Server.Url.Port}");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        await AssertNoFaultAsync();
    }

    [Fact]
    public async Task PostFault_OwnOriginAndLoopbackName_IsAccepted()
    {
        var port = _running.Server.Url.Port;
        var (status, _) = await PostFaultAsync("application/json", origin: $"http://localhost:{port}", host: $"localhost:{port}");

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal('T', _target.State);
    }

    [Fact]
    public async Task WebSocket_ForeignOrigin_IsRefused_OwnOriginConnects()
    {
        var ws = new UriBuilder(_running.Server.Url) { Scheme = "ws", Path = "/ws" }.Uri;
        using var foreign = new ClientWebSocket();
        foreign.Options.SetRequestHeader("Origin", "http://evil.example");
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(ws, TestContext.Current.CancellationToken));
        Assert.Contains("403", refused.Message);

        using var own = new ClientWebSocket();
        own.Options.SetRequestHeader("Origin", $"http://127.0.0.1:{ws.Port}");
        await own.ConnectAsync(ws, TestContext.Current.CancellationToken);
        Assert.Equal(WebSocketState.Open, own.State);
    }

    [Theory]
    [InlineData("/experiments?limit=abc", "limit")]
    [InlineData("/experiments?offset=1.5", "offset")]
    [InlineData("/audit?limit=many", "limit")]
    public async Task Query_NotANumber_Is400WithTheErrorBody(string path, string field)
    {
        using var response = await _running.Http.GetAsync(path, TestContext.Current.CancellationToken);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, body.GetProperty("field").GetString());
        Assert.StartsWith("a whole number from ", body.GetProperty("allowed").GetString());
    }

    [Fact]
    public async Task Audit_RefusedCrossSiteCall_IsRecorded()
    {
        await PostFaultAsync("text/plain");

        var audit = JsonDocument.Parse(await _running.Http.GetStringAsync("/audit", TestContext.Current.CancellationToken)).RootElement;
        var entry = audit.EnumerateArray().First();
        Assert.Equal(("anonymous", "POST /faults", 415), (entry.GetProperty("who").GetString(), entry.GetProperty("action").GetString(), entry.GetProperty("status").GetInt32()));
    }
}
