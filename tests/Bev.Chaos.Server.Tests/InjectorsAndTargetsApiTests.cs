using System.Net;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Configuration;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Server.Tests;

/// <summary>
/// What the dashboard's inject form reads — <c>GET /injectors</c>, <c>GET /targets</c> — and the
/// live counts of a proxy fault in <c>GET /faults</c>, over a catalog target whose real HTTP
/// dependency sits behind an <c>http</c> fault proxy.
/// </summary>
public sealed class InjectorsAndTargetsApiTests : IAsyncLifetime
{
    private readonly LoopbackHttpServer _upstream = new();
    private readonly TestProcess _target = TestProcess.Sleeper();
    private readonly int _proxyPort = LoopbackPort.Free();
    private ServerUnderTest _running = null!;

    public async ValueTask InitializeAsync()
    {
        var configuration = new ChaosConfiguration
        {
            Safety = new SafetySettings { MaxCpuUsage = 100, MaxMemoryUsage = 100 },
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["collector"] = new()
                {
                    Name = "collector",
                    Pid = _target.Pid,
                    Proxies = new Dictionary<string, ProxyRoute> { ["analyzer"] = new($"127.0.0.1:{_proxyPort}", $"127.0.0.1:{_upstream.Port}", "http") },
                },
            },
        };
        _running = await ServerUnderTest.StartAsync(configuration);
        _running.Engine.StartCatalog();
    }

    public async ValueTask DisposeAsync()
    {
        await _running.DisposeAsync();
        _target.Dispose();
        _upstream.Dispose();
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        var text = await _running.Http.GetStringAsync(path, TestContext.Current.CancellationToken);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Injectors_ListEveryFaultTypeWithItsParametersAndProfiles()
    {
        var injectors = await GetAsync("/injectors");

        Assert.Equal(_running.Engine.Faults.Injectors.Keys.Order(StringComparer.Ordinal), injectors.EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        var abort = injectors.EnumerateArray().Single(i => i.GetProperty("name").GetString() == "http_abort");
        Assert.Equal(["http_abort_light", "http_abort_medium", "http_abort_heavy"], abort.GetProperty("profiles").EnumerateArray().Select(p => p.GetString()));
        var status = abort.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "status");
        Assert.Equal((503, 100, 599), (status.GetProperty("default").GetInt32(), status.GetProperty("min").GetInt32(), status.GetProperty("max").GetInt32()));
    }

    [Fact]
    public async Task Targets_ListTheCatalogWithWhatEachProxiedDependencySpeaks()
    {
        var target = Assert.Single((await GetAsync("/targets")).EnumerateArray());

        Assert.Equal("collector", target.GetProperty("name").GetString());
        var proxy = Assert.Single(target.GetProperty("proxies").EnumerateArray());
        Assert.Equal(("analyzer", $"127.0.0.1:{_proxyPort}", "http"), (proxy.GetProperty("name").GetString(), proxy.GetProperty("listen").GetString(), proxy.GetProperty("protocol").GetString()));
    }

    [Fact]
    public async Task Faults_ShowAProxyFaultsCountsWhileItIsInEffect()
    {
        using var created = await _running.Http.PostAsync("/faults", new StringContent("""{"injector_name":"http_abort","target_service":"collector","parameters":{"path":"/api/*","toxicity":1},"duration_seconds":60}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var client = new HttpClient();
        foreach (var path in new[] { "/api/a", "/api/b", "/health", "/api/c" })
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{_proxyPort}{path}", TestContext.Current.CancellationToken);
            Assert.Equal(path.StartsWith("/api", StringComparison.Ordinal) ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, response.StatusCode);
        }

        var fault = Assert.Single((await GetAsync("/faults")).EnumerateArray());
        var counts = fault.GetProperty("measurements");

        Assert.Equal((3, 3), (counts.GetProperty("matched").GetInt64(), counts.GetProperty("affected").GetInt64()));
        Assert.Equal(1, _upstream.Requests);
    }
}
