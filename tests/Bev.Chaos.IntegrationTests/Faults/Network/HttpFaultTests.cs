using System.Diagnostics;
using System.Net;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Network;

/// <summary>The HTTP faults (<c>http_abort</c>, <c>http_delay</c>, <c>http_replace</c>) through the engine, on a catalog target's real HTTP dependency behind an <c>http</c> proxy.</summary>
public sealed class HttpFaultTests : IAsyncLifetime
{
    private readonly LoopbackHttpServer _upstream = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private ProxiedTargetEngine _engine = null!;
    private int _apiPort;

    public ValueTask InitializeAsync()
    {
        _apiPort = LoopbackPort.Free();
        _engine = new ProxiedTargetEngine(new Dictionary<string, ProxyRoute>
        {
            ["api"] = new($"127.0.0.1:{_apiPort}", $"127.0.0.1:{_upstream.Port}", "http"),
            ["cache"] = new($"127.0.0.1:{LoopbackPort.Free()}", $"127.0.0.1:{_upstream.Port}"),
        });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        _http.Dispose();
        _upstream.Dispose();
    }

    private Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync($"http://127.0.0.1:{_apiPort}{path}", TestContext.Current.CancellationToken);

    [Fact]
    public async Task CatalogProxyDeclaredHttp_StartsAsAnHttpProxy()
    {
        Assert.Equal(ProxyProtocol.Http, _engine.Proxies.Get("analyzer.api").Protocol);
        Assert.Equal(ProxyProtocol.Tcp, _engine.Proxies.Get("analyzer.cache").Protocol);
        using var response = await GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HttpAbort_OnMatchingRequests_Answers503WithoutReachingTheDependency_ThenGoes()
    {
        var id = await _engine.Manager.InjectFaultAsync("http_abort", "analyzer", null, new Dictionary<string, object?> { ["dependency"] = "api", ["path"] = "/api/*", ["body"] = "down" }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var before = _upstream.Requests;

        using (var aborted = await GetAsync("/api/items"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, aborted.StatusCode);
            Assert.Equal("down", await aborted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        using (var passed = await GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        }

        Assert.Equal(before + 1, _upstream.Requests);
        Assert.Equal((1, 1), (_engine.Proxies.Get("analyzer.api").Counters.Single().Value.Matched, _engine.Proxies.Get("analyzer.api").Counters.Single().Value.Affected));

        await _engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.Empty(_engine.Proxies.Get("analyzer.api").Toxics);
        using var after = await GetAsync("/api/items");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task HttpDelayProfile_HoldsRequests_AndHttpReplaceChangesTheStatus()
    {
        await _engine.Manager.InjectFaultAsync("http_delay", "analyzer", "http_delay_medium", new Dictionary<string, object?> { ["dependency"] = "api", ["jitter_ms"] = 0 }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await _engine.Manager.InjectFaultAsync("http_replace", "analyzer", null, new Dictionary<string, object?> { ["dependency"] = "api", ["status"] = 500, ["method"] = "GET", ["headers"] = "{\"X-Chaos\": \"on\"}" }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var started = Stopwatch.GetTimestamp();
        using var response = await GetAsync("/health");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("on", response.Headers.GetValues("X-Chaos").Single());
        Assert.InRange(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 500, 10_000);
    }

    [Fact]
    public async Task HttpFault_OnATcpDependency_SaysToDeclareProtocolHttp()
    {
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _engine.Manager.InjectFaultAsync("http_abort", "analyzer", null, new Dictionary<string, object?> { ["dependency"] = "cache" }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith("targets.analyzer.proxy.cache.protocol: 'tcp' is not allowed; allowed: http (http_abort acts on HTTP requests: declare the dependency's proxy with protocol: http)", error.Message, StringComparison.Ordinal);
        Assert.Empty(_engine.Proxies.Get("analyzer.cache").Toxics);
    }

    [Fact]
    public async Task HttpFault_BadMatcher_NamesTheParameter()
    {
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _engine.Manager.InjectFaultAsync("http_delay", "analyzer", null, new Dictionary<string, object?> { ["dependency"] = "api", ["path"] = "api/*" }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("parameters.path", error.Message, StringComparison.Ordinal);
        Assert.Contains("starting with /", error.Message, StringComparison.Ordinal);
        var notJson = await Assert.ThrowsAsync<ChaosValidationException>(() => _engine.Manager.InjectFaultAsync("http_abort", "analyzer", null, new Dictionary<string, object?> { ["dependency"] = "api", ["headers"] = "Retry-After: 5" }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("parameters.headers: 'Retry-After: 5' is not JSON", notJson.Message, StringComparison.Ordinal);
        Assert.Empty(_engine.Proxies.Get("analyzer.api").Toxics);
    }
}
