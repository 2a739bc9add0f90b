using System.CommandLine;
using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Safety;
using Bev.Chaos.Targets;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Cli;

/// <summary>
/// The engine as one CLI command uses it: the configuration and data directory from the command
/// line, console logging, and a <see cref="ChaosEngine"/>. Opening it reverts whatever dead engines
/// left active (and says so on stderr).
/// </summary>
internal sealed class EngineSession : IAsyncDisposable
{
    private EngineSession(ChaosEngine engine, ILoggerFactory loggers)
    {
        Engine = engine;
        Loggers = loggers;
    }

    public ChaosEngine Engine { get; }

    public ILoggerFactory Loggers { get; }

    public ChaosConfiguration Configuration => Engine.Configuration;

    public ChaosStore Store => Engine.Store;

    public ProcessSupervisor Supervisor => Engine.Supervisor;

    public FaultInjectionManager Manager => Engine.Faults;

    public SafetyLock SafetyLock => Engine.SafetyLock;

    public TargetResolver Targets => Engine.Targets;

    public ChaosEngineer Engineer => Engine.Engineer;

    public ProxyCollection Proxies => Engine.Proxies;

    public FaultJournal Journal => Engine.Journal;

    /// <summary>Loads configuration (throws <see cref="ChaosValidationException"/>), opens the store and reconciles.</summary>
    public static async Task<EngineSession> OpenAsync(ParseResult parse, CancellationToken cancellationToken, ChaosConfiguration? configurationOverride = null)
    {
        var configuration = configurationOverride ?? LoadConfiguration(parse);
        var dataDir = parse.GetValue(CliOptions.DataDir) ?? ChaosStore.DefaultDataDirectory();
        var loggers = CreateLoggers(parse.GetValue(CliOptions.LogLevelOption));
        var engine = await ChaosEngine.OpenAsync(configuration, dataDir, loggers, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        if (engine.RevertedOnOpen > 0)
        {
            await Console.Error.WriteLineAsync($"bev-chaos: reverted {engine.RevertedOnOpen} fault(s) left active by an engine that died (see the log lines above)").ConfigureAwait(false);
        }

        return new EngineSession(engine, loggers);
    }

    /// <summary>Single-line console logs on stderr, so stdout stays for results.</summary>
    public static ILoggerFactory CreateLoggers(LogLevel level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(level)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        })
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

    /// <summary>The configuration from <c>--config</c>, <c>BEV_CHAOS_CONFIG</c>, or the built-in defaults.</summary>
    public static ChaosConfiguration LoadConfiguration(ParseResult parse)
    {
        var path = parse.GetValue(CliOptions.Config) ?? Environment.GetEnvironmentVariable("BEV_CHAOS_CONFIG");
        return string.IsNullOrEmpty(path) ? new ChaosConfiguration() : ChaosConfigurationLoader.LoadFile(path);
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync().ConfigureAwait(false);
        Loggers.Dispose();
    }
}
