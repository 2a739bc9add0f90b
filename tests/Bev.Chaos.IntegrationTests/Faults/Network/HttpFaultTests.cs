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
    private readonly TempDirectory _data = new();
    private readonly ProxyCollection _proxies = new();
    private readonly LoopbackHttpServer _upstream = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private TestProcess _target = null!;
    private ChaosStore _store = null!;
    private FaultInjectionManager _manager = null!;
    private int _apiPort;

    public ValueTask InitializeAsync()
    {
        _apiPort = LoopbackPort.Free();
        _target = TestProcess.Sleeper();
        var configuration = new ChaosConfiguration
        {
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["analyzer"] = new()
                {
                    Name = "analyzer",
                    Pid = _target.Pid,
                    Proxies = new Dictionary<string, ProxyRoute>
                    {
                        ["api"] = new($"127.0.0.1:{_apiPort}", $"127.0.0.1:{_upstream.Port}", "http"),
                        ["cache"] = new($"127.0.0.1:{LoopbackPort.Free()}", $"127.0.0.1:{_upstream.Port}"),
                    },
                },
            },
        };
        Bev.Chaos.Faults.Network.Proxy.CatalogProxies.StartAll(configuration, _proxies);
        _store = ChaosStore.Open(_data.Path);
        _manager = new FaultInjectionManager(configuration, new FaultJournal(_store), new TargetResolver(configuration), BuiltInInjectors.Create(_proxies));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _manager.DisposeAsync();
        await _proxies.DisposeAsync();
        await _store.DisposeAsync();
        _http.Dispose();
        _upstream.Dispose();
        _target.Dispose();
        _data.Dispose();
    }

    private Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync($"http://127.0.0.1:{_apiPort}{path}", TestContext.Current.CancellationToken);

    [Fact]
    public async Task CatalogProxyDeclaredHttp_StartsAsAnHttpProxy()
    {
        Assert.Equal(ProxyProtocol.Http, _proxies.Get("analyzer.api").Protocol);
        Assert.Equal(ProxyProtocol.Tcp, _proxies.Get("analyzer.cache").Protocol);
        using var response = await GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HttpAbort_OnMatchingRequests_Answers503WithoutReachingTheDependency_ThenGoes()
    {
        var id = await _manager.InjectFaultAsync("http_abort", "analyzer", null, new Dictionary<string, object?> { ["dependency"] = "api", ["path"] = "/api/*", ["body"] = "down" }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
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
        Assert.Equal((1, 1), (_proxies.Get("analyzer.api").Counters.Single().Value.Matched, _proxies.Get("analyzer.api").Counters.Single().Value.Affected));

        await _manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.Empty(_proxies.Get("analyzer.api").Toxics);
        using var after = await GetAsync("/api/items");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task HttpDelayProfile_HoldsRequests_AndHttpReplaceChangesTheStatus()
    {
        await _manager.InjectFaultAsync("http_delay", "analyzer", "http_delay_medium", new Dictionary<string, object?> { ["dependency"] = "api", ["jitter_ms"] = 0 }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await _manager.InjectFaultAsync("http_replace", "analyzer", null, new Dictionary<string, object?> { ["dependency"] = "api", ["status"] = 500, ["method"] = "GET", ["headers"] = "{\"X-Chaos\": \"on\"}" }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

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
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _manager.InjectFaultAsync("http_abort", "analyzer", null, new Dictionary<string, object?> { ["dependency"] = "cache" }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith("targets.analyzer.proxy.cache.protocol: 'tcp' is not allowed; allowed: http (http_abort acts on HTTP requests: declare the dependency's proxy with protocol: http)", error.Message, StringComparison.Ordinal);
        Assert.Empty(_proxies.Get("analyzer.cache").Toxics);
    }

    [Fact]
    public async Task HttpFault_BadMatcher_NamesTheParameter()
    {
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _manager.InjectFaultAsync("http_delay", "analyzer", null, new Dictionary<string, object?> { ["dependency"] = "api", ["path"] = "api/*" }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("parameters.path", error.Message, StringComparison.Ordinal);
        Assert.Contains("starting with /", error.Message, StringComparison.Ordinal);
        var notJson = await Assert.ThrowsAsync<ChaosValidationException>(() => _manager.InjectFaultAsync("http_abort", "analyzer", null, new Dictionary<string, object?> { ["dependency"] = "api", ["headers"] = "Retry-After: 5" }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("parameters.headers: 'Retry-After: 5' is not JSON", notJson.Message, StringComparison.Ordinal);
        Assert.Empty(_proxies.Get("analyzer.api").Toxics);
    }
}
