using System.Globalization;
using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Probes;
using Bev.Chaos.Proxy;
using Bev.Chaos.Safety;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Experiments;

/// <summary>A real engine with a supervised sample HTTP service ("web") on a free loopback port.</summary>
internal sealed class ExperimentFixture : IAsyncDisposable
{
    private readonly TempDirectory _data = new();
    private readonly ProxyCollection _proxies = new();

    public ExperimentFixture(SafetySettings? safety = null, int maxConcurrent = 3, TimeSpan? restartDelay = null, IntegrationSettings? integration = null, bool httpProxy = false)
    {
        Port = LoopbackPort.Free();
        ProxyPort = LoopbackPort.Free();
        var web = new TargetDefinition
        {
            Name = "web",
            Command = [Path.Combine(AppContext.BaseDirectory, "Bev.Chaos.SampleService"), "--port", Port.ToString(CultureInfo.InvariantCulture), "--workers", "8"],
            Restart = RestartPolicy.Always,
            RestartDelay = restartDelay ?? TimeSpan.FromMilliseconds(500),
            Port = Port,
            Proxies = httpProxy ? new Dictionary<string, ProxyRoute> { ["http"] = new($"127.0.0.1:{ProxyPort}", $"127.0.0.1:{Port}", "http") } : new Dictionary<string, ProxyRoute>(),
        };
        Configuration = new ChaosConfiguration
        {
            Global = new GlobalSettings { MaxConcurrentExperiments = maxConcurrent },
            Integration = integration ?? new IntegrationSettings(),
            Safety = safety ?? new SafetySettings { SafetyMonitoringInterval = TimeSpan.FromMilliseconds(200), MaxCpuUsage = 100, MaxMemoryUsage = 100 },
            Targets = new Dictionary<string, TargetDefinition> { ["web"] = web },
        };
        Store = ChaosStore.Open(_data.Path);
        Supervisor = new ProcessSupervisor(Store.RunDirectory);
        Supervisor.Start(web);
        var targets = new TargetResolver(Configuration, Supervisor, Store.RunDirectory);
        Lock = new SafetyLock(Store, TimeProvider.System);
        Bev.Chaos.Faults.Network.Proxy.CatalogProxies.StartAll(Configuration, _proxies);
        Faults = new FaultInjectionManager(Configuration, new FaultJournal(Store), targets, BuiltInInjectors.Create(_proxies), safetyLock: Lock);
        Probes = new ProbeRunner(targets, TimeProvider.System);
        Engineer = new ChaosEngineer(Configuration, Faults, Lock, Probes, new ExperimentStore(Store));
    }

    public int Port { get; }

    /// <summary>With <c>httpProxy</c>: where web's clients reach it through an <c>http</c> fault proxy.</summary>
    public int ProxyPort { get; }

    /// <summary>The health probe through the proxy (with <c>httpProxy</c>).</summary>
    public ProbeDefinition ProxiedHealth => new() { Name = "web health through its proxy", Kind = ProbeKind.Http, Url = new Uri($"http://127.0.0.1:{ProxyPort}/health"), Timeout = TimeSpan.FromMilliseconds(300) };

    public ChaosConfiguration Configuration { get; }

    public ChaosStore Store { get; }

    public ProcessSupervisor Supervisor { get; }

    public SafetyLock Lock { get; }

    public FaultInjectionManager Faults { get; }

    public ProbeRunner Probes { get; }

    public ChaosEngineer Engineer { get; }

    public ProbeDefinition Health => new() { Name = "web health", Kind = ProbeKind.Http, Url = new Uri($"http://127.0.0.1:{Port}/health"), Timeout = TimeSpan.FromMilliseconds(300) };

    public async Task WaitHealthyAsync()
    {
        await Poll.UntilAsync(async () => (await Probes.RunAsync(Health, TestContext.Current.CancellationToken)).Success, TimeSpan.FromSeconds(20), "the sample service to answer");
    }

    public async ValueTask DisposeAsync()
    {
        await Engineer.DisposeAsync();
        await Faults.DisposeAsync();
        await _proxies.DisposeAsync();
        await Supervisor.DisposeAsync();
        Probes.Dispose();
        await Store.DisposeAsync();
        _data.Dispose();
    }
}
