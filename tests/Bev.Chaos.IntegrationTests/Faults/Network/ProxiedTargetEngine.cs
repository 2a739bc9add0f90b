using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Network;

/// <summary>
/// A fault manager over one catalog target, <c>analyzer</c> (a sleeping process of its own), whose
/// proxied dependencies are the routes given, the proxies started as the engine starts them.
/// </summary>
internal sealed class ProxiedTargetEngine : IAsyncDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TestProcess _target = TestProcess.Sleeper();

    public ProxiedTargetEngine(IReadOnlyDictionary<string, ProxyRoute> routes)
    {
        var configuration = new ChaosConfiguration
        {
            Targets = new Dictionary<string, TargetDefinition> { ["analyzer"] = new() { Name = "analyzer", Pid = _target.Pid, Proxies = routes } },
        };
        Bev.Chaos.Faults.Network.Proxy.CatalogProxies.StartAll(configuration, Proxies);
        Store = ChaosStore.Open(_data.Path);
        Manager = new FaultInjectionManager(configuration, new FaultJournal(Store), new TargetResolver(configuration), BuiltInInjectors.Create(Proxies));
    }

    /// <summary>The catalog's proxies, named <c>analyzer.ROUTE</c>.</summary>
    public ProxyCollection Proxies { get; } = new();

    public ChaosStore Store { get; }

    /// <summary>The analyzer's process.</summary>
    public int TargetPid => _target.Pid;

    public FaultInjectionManager Manager { get; }

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        await Proxies.DisposeAsync();
        await Store.DisposeAsync();
        _target.Dispose();
        _data.Dispose();
    }
}
