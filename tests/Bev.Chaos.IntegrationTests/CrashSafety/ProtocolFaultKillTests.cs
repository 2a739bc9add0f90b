using System.Net;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.CrashSafety;

/// <summary>An engine killed while its http_abort is in effect: the toxic dies with the proxy it lived in, and the next start reconciles the journal and serves the dependency clean.</summary>
public sealed class ProtocolFaultKillTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly LoopbackHttpServer _upstream = new();
    private readonly TestProcess _target = TestProcess.Sleeper();

    public void Dispose()
    {
        _target.Dispose();
        _upstream.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Sigkill_WithAnHttpAbortInEffect_NextStartHasNoToxicAndAnswersClean()
    {
        var listen = $"127.0.0.1:{LoopbackPort.Free()}";
        var config = Path.Combine(_data.Path, "catalog.yaml");
        await File.WriteAllTextAsync(config, $$"""
            targets:
              web:
                pid: {{_target.Pid}}
                proxy:
                  api: { listen: "{{listen}}", upstream: "127.0.0.1:{{_upstream.Port}}", protocol: http }
            """, TestContext.Current.CancellationToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        using (var engine = EngineProcess.Start(_data.Path, "inject", "http_abort", "--target", "web", "--config", config, "--param", "path=/api/*", "--duration", "120s", "--output", "json"))
        {
            await Poll.UntilAsync(async () => await StatusAsync(http, listen) == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(60), "the engine's http_abort answering 503 through the proxy");
            engine.Kill();
            await Poll.UntilAsync(() => engine.HasExited, TimeSpan.FromSeconds(5), "the engine dead");
        }

        await using var store = ChaosStore.Open(_data.Path);
        Assert.Single(await new FaultJournal(store).ListOpenAsync(TestContext.Current.CancellationToken));
        var configuration = new ChaosConfiguration
        {
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["web"] = new() { Name = "web", Pid = _target.Pid, Proxies = new Dictionary<string, ProxyRoute> { ["api"] = new(listen, $"127.0.0.1:{_upstream.Port}", "http") } },
            },
        };
        await using var proxies = new ProxyCollection();
        await using var manager = new FaultInjectionManager(configuration, new FaultJournal(store), new TargetResolver(configuration), BuiltInInjectors.Create(proxies));

        Assert.Equal(1, await manager.InitializeAsync(TestContext.Current.CancellationToken));
        Bev.Chaos.Faults.Network.Proxy.CatalogProxies.StartAll(configuration, proxies);

        Assert.Empty(proxies.Get("web.api").Toxics);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, listen));
        Assert.Empty(await new FaultJournal(store).ListOpenAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<HttpStatusCode?> StatusAsync(HttpClient http, string listen)
    {
        try
        {
            using var response = await http.GetAsync($"http://{listen}/api/items", TestContext.Current.CancellationToken);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
