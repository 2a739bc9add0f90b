using Bev.Chaos.Agents;
using Bev.Chaos.Configuration;
using Bev.Chaos.Events;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
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

    /// <summary>The validated configuration: <c>chaos_engineer.yaml</c>, or the built-in defaults.</summary>
    public ChaosConfiguration Configuration { get; }

    /// <summary>The SQLite store in the data directory: fault journal, experiment results, audit log, safety lock.</summary>
    public ChaosStore Store { get; }

    /// <summary>Where the engine's parts log; logs nothing unless the host gave a factory to <c>OpenAsync</c>.</summary>
    public ILoggerFactory Loggers { get; }

    /// <summary>Starts, watches and restarts the catalog targets that have a <c>command</c>.</summary>
    public ProcessSupervisor Supervisor { get; }

    /// <summary>The fault proxies this process hosts.</summary>
    public ProxyCollection Proxies { get; }

    /// <summary>Engaged by an emergency stop: while it is, no bev-chaos process on this data directory injects a fault.</summary>
    public SafetyLock SafetyLock { get; }

    /// <summary>Turns target names (a catalog service, <c>pid:N</c>, <c>docker:CONTAINER</c>, …) into processes.</summary>
    public TargetResolver Targets { get; }

    /// <summary>As a controller: the agents of <c>agents:</c> (null without any).</summary>
    public AgentRelay? Agents { get; }

    /// <summary>As an agent: the leases of faults a controller holds here.</summary>
    public FaultLeases Leases { get; }

    /// <summary>The Docker daemon for docker targets (connected on first use).</summary>
    public Bev.Chaos.Targets.Docker.DockerEngine Docker { get; }

    /// <summary>Injects, bounds and removes faults, journaling each one's undo recipe before its effect.</summary>
    public FaultInjectionManager Faults { get; }

    /// <summary>Runs experiments (baseline, injection, recovery, validation) and the emergency stop.</summary>
    public ChaosEngineer Engineer { get; }

    /// <summary>The results of experiments, kept in the store so history survives restarts.</summary>
    public ExperimentStore Experiments { get; }

    /// <summary>The fault journal in <see cref="Store"/>: every fault recorded there, open or closed.</summary>
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
