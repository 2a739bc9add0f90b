using System.CommandLine;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Experiments;
using Bev.Chaos.Persistence;
using Bev.Chaos.Probes;
using Bev.Chaos.Safety;
using Bev.Chaos.Proxy;
using Bev.Chaos.Targets;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Cli;

/// <summary>
/// The engine as one CLI command uses it: configuration, the store, the supervisor and the fault
/// manager. Opening it reverts whatever dead engines left active (and says so on stderr).
/// </summary>
internal sealed class EngineSession : IAsyncDisposable
{
    private EngineSession(ChaosConfiguration configuration, ChaosStore store, ProcessSupervisor supervisor, FaultInjectionManager manager, ILoggerFactory loggers, ProxyCollection proxies, SafetyLock safetyLock, TargetResolver targets)
    {
        Proxies = proxies;
        SafetyLock = safetyLock;
        Targets = targets;
        Configuration = configuration;
        Store = store;
        Supervisor = supervisor;
        Manager = manager;
        Loggers = loggers;
    }

    public ChaosConfiguration Configuration { get; }

    public ChaosStore Store { get; }

    public ProcessSupervisor Supervisor { get; }

    public FaultInjectionManager Manager { get; }

    public ILoggerFactory Loggers { get; }

    public SafetyLock SafetyLock { get; }

    public TargetResolver Targets { get; }

    /// <summary>The experiment engine over this session's fault manager (made on first use).</summary>
    public ChaosEngineer Engineer => _engineer ??= new ChaosEngineer(Configuration, Manager, SafetyLock, _probes ??= new ProbeRunner(Targets, TimeProvider.System), new ExperimentStore(Store), TimeProvider.System, Loggers);

    private ChaosEngineer? _engineer;
    private ProbeRunner? _probes;

    /// <summary>The fault proxies this process hosts (catalog proxies start when a fault needs them).</summary>
    public ProxyCollection Proxies { get; }

    public FaultJournal Journal => new(Store);

    /// <summary>Loads configuration (throws <see cref="ChaosValidationException"/>), opens the store and reconciles.</summary>
    public static async Task<EngineSession> OpenAsync(ParseResult parse, CancellationToken cancellationToken, ChaosConfiguration? configurationOverride = null)
    {
        var configuration = configurationOverride ?? LoadConfiguration(parse);
        var dataDir = parse.GetValue(CliOptions.DataDir) ?? ChaosStore.DefaultDataDirectory();
        var loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(parse.GetValue(CliOptions.LogLevelOption))
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        var store = ChaosStore.Open(dataDir);
        var supervisor = new ProcessSupervisor(store.RunDirectory, TimeProvider.System, null, loggers.CreateLogger<ProcessSupervisor>());
        var journal = new FaultJournal(store);
        var proxies = new ProxyCollection();
        var safetyLock = new SafetyLock(store, TimeProvider.System);
        var targets = new TargetResolver(configuration, supervisor, store.RunDirectory);
        var manager = new FaultInjectionManager(configuration, journal, targets, BuiltInInjectors.Create(proxies), loggerFactory: loggers, safetyLock: safetyLock);
        var reverted = await manager.InitializeAsync(cancellationToken).ConfigureAwait(false);
        if (reverted > 0)
        {
            await Console.Error.WriteLineAsync($"bev-chaos: reverted {reverted} fault(s) left active by an engine that died (see the log lines above)").ConfigureAwait(false);
        }

        return new EngineSession(configuration, store, supervisor, manager, loggers, proxies, safetyLock, targets);
    }

    /// <summary>The configuration from <c>--config</c>, <c>BEV_CHAOS_CONFIG</c>, or the built-in defaults.</summary>
    public static ChaosConfiguration LoadConfiguration(ParseResult parse)
    {
        var path = parse.GetValue(CliOptions.Config) ?? Environment.GetEnvironmentVariable("BEV_CHAOS_CONFIG");
        return string.IsNullOrEmpty(path) ? new ChaosConfiguration() : ChaosConfigurationLoader.LoadFile(path);
    }

    public async ValueTask DisposeAsync()
    {
        if (_engineer is not null)
        {
            await _engineer.DisposeAsync().ConfigureAwait(false);
        }

        _probes?.Dispose();
        await Manager.DisposeAsync().ConfigureAwait(false);
        await Proxies.DisposeAsync().ConfigureAwait(false);
        await Supervisor.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
        Loggers.Dispose();
    }
}
