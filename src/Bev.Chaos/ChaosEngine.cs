using Bev.Chaos.Agents;
using Bev.Chaos.Configuration;
using Bev.Chaos.Events;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Persistence;
using Bev.Chaos.Probes;
using Bev.Chaos.Proxy;
using Bev.Chaos.Safety;
using Bev.Chaos.Scenarios;
using Bev.Chaos.Targets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bev.Chaos;

/// <summary>
/// The whole engine over one data directory: configuration, the store with the fault journal,
/// the supervisor of managed targets, the fault proxies, the fault manager, the experiment engine
/// and the scenario library. Opening it reverts whatever dead engines left active. Hosts (the
/// CLI, the server) compose nothing themselves.
/// </summary>
public sealed partial class ChaosEngine : IAsyncDisposable
{
    private readonly ProbeRunner _probes;

    private ChaosEngine(ChaosConfiguration configuration, ChaosStore store, ILoggerFactory loggers, TimeProvider time)
    {
        Configuration = configuration;
        Store = store;
        Loggers = loggers;
        Supervisor = new ProcessSupervisor(store.RunDirectory, time, Events, loggers.CreateLogger<ProcessSupervisor>());
        Proxies = new ProxyCollection(time);
        SafetyLock = new SafetyLock(store, time);
        Docker = Bev.Chaos.Targets.Docker.DockerEngine.FromEnvironment(configuration.DockerHost);
        Targets = new TargetResolver(configuration, Supervisor, store.RunDirectory, Docker);
        Agents = configuration.Agents.Count > 0 ? new AgentRelay(configuration.Agents, time, loggers.CreateLogger<AgentRelay>()) : null;
        Faults = new FaultInjectionManager(configuration, new FaultJournal(store), Targets, BuiltInInjectors.Create(Proxies, Docker), Events, time, loggerFactory: loggers, safetyLock: SafetyLock, agents: Agents);
        Leases = new FaultLeases(Faults, time);
        _probes = new ProbeRunner(Targets, time);
        Experiments = new ExperimentStore(store);
        Engineer = new ChaosEngineer(configuration, Faults, SafetyLock, _probes, Experiments, time, loggers);
    }

    /// <summary>
    /// The engine's one event stream: the supervisor, the fault manager and the experiments publish
    /// on it; the WebSocket, the metrics, the logs and the CLI's progress read it.
    /// </summary>
    public ChaosEventStream Events { get; } = new();

    public ChaosConfiguration Configuration { get; }

    public ChaosStore Store { get; }

    public ILoggerFactory Loggers { get; }

    public ProcessSupervisor Supervisor { get; }

    /// <summary>The fault proxies this process hosts.</summary>
    public ProxyCollection Proxies { get; }

    public SafetyLock SafetyLock { get; }

    public TargetResolver Targets { get; }

    /// <summary>As a controller: the agents of <c>agents:</c> (null without any).</summary>
    public AgentRelay? Agents { get; }

    /// <summary>As an agent: the leases of faults a controller holds here.</summary>
    public FaultLeases Leases { get; }

    /// <summary>The Docker daemon for docker targets (connected on first use).</summary>
    public Bev.Chaos.Targets.Docker.DockerEngine Docker { get; }

    public FaultInjectionManager Faults { get; }

    public ChaosEngineer Engineer { get; }

    public ExperimentStore Experiments { get; }

    public FaultJournal Journal => new(Store);

    /// <summary>How many faults of dead engines were reverted when the engine opened.</summary>
    public int RevertedOnOpen { get; private set; }

    /// <summary>Opens the store in <paramref name="dataDirectory"/> and reverts what dead engines left.</summary>
    /// <exception cref="ChaosValidationException">The configuration is invalid (every problem, from <see cref="ChaosConfigurationValidator"/>).</exception>
    public static async Task<ChaosEngine> OpenAsync(ChaosConfiguration configuration, string dataDirectory, ILoggerFactory? loggers = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ChaosConfigurationValidator.Validate(configuration);
        var store = ChaosStore.Open(dataDirectory);
        var engine = new ChaosEngine(configuration, store, loggers ?? NullLoggerFactory.Instance, timeProvider ?? TimeProvider.System);
        try
        {
            engine.RevertedOnOpen = await engine.Faults.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return engine;
        }
        catch
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts the catalog's supervised targets (unless another process runs them) and its fault proxies.</summary>
    public void StartCatalog()
    {
        Supervisor.StartAll(Configuration);
        Bev.Chaos.Faults.Network.Proxy.CatalogProxies.StartAll(Configuration, Proxies);
    }

    /// <summary>Stops experiments, removes this engine's faults, stops proxies and managed targets, closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        await Engineer.DisposeAsync().ConfigureAwait(false);
        _probes.Dispose();
        Leases.Dispose();
        await Faults.DisposeAsync().ConfigureAwait(false);
        await Proxies.DisposeAsync().ConfigureAwait(false);
        await Supervisor.DisposeAsync().ConfigureAwait(false);
        Docker.Dispose();
        await Store.DisposeAsync().ConfigureAwait(false);
    }
}
