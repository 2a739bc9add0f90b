using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Configuration;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Proxy.Api;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Server.Tests;

/// <summary>The Toxiproxy-compatible API under the same policy as the chaos API when auth.tokens are configured, and audited to the same log.</summary>
public sealed class ToxiproxyAccessTests : IAsyncLifetime
{
    private const string Viewer = "viewer-token-0123456789";
    private const string Operator = "operator-token-0123456789";
    private readonly TempDirectory _data = new();
    private readonly ProxyCollection _proxies = new();
    private ChaosStore _store = null!;
    private ToxiproxyServer _server = null!;
    private HttpClient _http = null!;
    private System.Net.Sockets.TcpListener _upstream = null!;

    // Every endpoint of the API, with a body where it takes one.
    public static TheoryData<string, string, string?> Endpoints => new()
    {
        { "GET", "/version", null },
        { "POST", "/reset", null },
        { "GET", "/proxies", null },
        { "POST", "/proxies", """{"name":"other","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}""" },
        { "POST", "/populate", """[{"name":"other","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}]""" },
        { "GET", "/proxies/db", null },
        { "POST", "/proxies/db", """{"enabled":false}""" },
        { "PATCH", "/proxies/db", """{"enabled":false}""" },
        { "DELETE", "/proxies/db", null },
        { "GET", "/proxies/db/toxics", null },
        { "POST", "/proxies/db/toxics", """{"name":"slow2","type":"latency","attributes":{"latency":10}}""" },
        { "GET", "/proxies/db/toxics/slow", null },
        { "POST", "/proxies/db/toxics/slow", """{"attributes":{"latency":20}}""" },
        { "PATCH", "/proxies/db/toxics/slow", """{"attributes":{"latency":20}}""" },
        { "DELETE", "/proxies/db/toxics/slow", null },
    };

    public async ValueTask InitializeAsync()
    {
        _upstream = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        _upstream.Start();
        _store = ChaosStore.Open(_data.Path);
        var configuration = new ChaosConfiguration { ApiTokens = [new ApiToken("dana", Viewer, ApiRole.Viewer), new ApiToken("ops-bot", Operator, ApiRole.Operator)] };
        _server = await ToxiproxyServer.StartAsync(_proxies, ListenerPolicies.ForToxiproxyApi(configuration, new AuditLog(_store), TimeProvider.System), "http://127.0.0.1:0", cancellationToken: TestContext.Current.CancellationToken);
        _http = new HttpClient { BaseAddress = _server.Url };
        var db = _proxies.Create("db", "127.0.0.1:0", $"127.0.0.1:{((IPEndPoint)_upstream.LocalEndpoint).Port}");
        db.AddToxic(ToxicTypes.Define("slow", "latency", null, null, new Dictionary<string, long> { ["latency"] = 5 }));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        await _proxies.DisposeAsync();
        await _store.DisposeAsync();
        _upstream.Stop();
        _upstream.Dispose();
        _data.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(string method, string path, string? body, string? token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_Anonymous_Is401AndChangesNothing(string method, string path, string? body)
    {
        var (status, error) = await SendAsync(method, path, body, null);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Authorization", error.GetProperty("field").GetString());
        AssertUnchanged();
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_Viewer_ReadsButCannotChange(string method, string path, string? body)
    {
        var (status, error) = await SendAsync(method, path, body, Viewer);

        if (method == "GET")
        {
            Assert.Equal(HttpStatusCode.OK, status);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal("operator", error.GetProperty("allowed").GetString());
        }

        AssertUnchanged();
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_Operator_IsAllowed(string method, string path, string? body)
    {
        var (status, _) = await SendAsync(method, path, body, Operator);

        Assert.True((int)status is >= 200 and < 300, $"{method} {path}: {status}");
    }

    [Fact]
    public async Task Mutations_AreAuditedWithWhoAndResult()
    {
        await SendAsync("POST", "/reset", null, null);
        await SendAsync("DELETE", "/proxies/db", null, Viewer);
        await SendAsync("DELETE", "/proxies/db/toxics/slow", null, Operator);
        await SendAsync("GET", "/proxies", null, Operator);

        var entries = (await new AuditLog(_store).ListAsync(10, TestContext.Current.CancellationToken)).Reverse().Select(e => (e.Who, e.Action, e.Status));
        Assert.Equal(
            [
                ("anonymous", "toxiproxy POST /reset", 401),
                ("dana", "toxiproxy DELETE /proxies/db", 403),
                ("ops-bot", "toxiproxy DELETE /proxies/db/toxics/slow", 204),
            ],
            entries);
    }

    [Fact]
    public async Task OpenMode_AnonymousMutations_AreAuditedToo()
    {
        await using var open = await ToxiproxyServer.StartAsync(_proxies, ListenerPolicies.ForToxiproxyApi(new ChaosConfiguration(), new AuditLog(_store), TimeProvider.System), "http://127.0.0.1:0", cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = open.Url };

        using (var reset = await http.PostAsync("/reset", null, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        using (var listed = await http.GetAsync("/proxies", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }

        var entries = (await new AuditLog(_store).ListAsync(10, TestContext.Current.CancellationToken)).Select(e => (e.Who, e.Action, e.Status));
        Assert.Equal([("anonymous", "toxiproxy POST /reset", 204)], entries);
        Assert.Empty(Assert.Single(_proxies.All).Toxics);
    }

    private void AssertUnchanged()
    {
        var db = Assert.Single(_proxies.All);
        Assert.True(db.Enabled);
        Assert.Equal("slow", Assert.Single(db.Toxics).Name);
    }
}
