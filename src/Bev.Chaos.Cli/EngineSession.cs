using System.CommandLine;
using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Safety;
using Bev.Chaos.Targets;
using Microsoft.Extensions.Logging;
using Serilog;

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
    /// <param name="parse">The command line (--data-dir, --config, --log-level).</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <param name="configurationOverride">A configuration to use instead of --config's.</param>
    /// <param name="structuredLogs">Servers (serve, agent): JSON lines on stderr and in the data directory's rolling <c>logs/chaos_engineering.log</c>.</param>
    public static async Task<EngineSession> OpenAsync(ParseResult parse, CancellationToken cancellationToken, ChaosConfiguration? configurationOverride = null, bool structuredLogs = false)
    {
        var configuration = configurationOverride ?? LoadConfiguration(parse);
        StartupTrace.Mark("configuration loaded");
        var dataDir = parse.GetValue(CliOptions.DataDir) ?? ChaosStore.DefaultDataDirectory();
        var loggers = structuredLogs
            ? CreateStructuredLoggers(parse.GetValue(CliOptions.LogLevelOption), Path.Combine(LogDirectory(dataDir), "chaos_engineering.log"))
            : CreateLoggers(parse.GetValue(CliOptions.LogLevelOption));
        StartupTrace.Mark("loggers made");
        var engine = await ChaosEngine.OpenAsync(configuration, dataDir, loggers, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        if (engine.RevertedOnOpen > 0)
        {
            await Console.Error.WriteLineAsync($"bev-chaos: reverted {engine.RevertedOnOpen} fault(s) left active by an engine that died (see the log lines above)").ConfigureAwait(false);
        }

        return new EngineSession(engine, loggers);
    }

    /// <summary>
    /// True when the journal holds no open fault of any engine, read from the store alone: then opening
    /// the engine (whose reconciliation reverts dead engines' faults) would change nothing, and a
    /// read-only command can answer without composing it. The configuration is loaded and validated
    /// as <see cref="OpenAsync"/> does, so bad input fails the same way.
    /// </summary>
    /// <param name="parse">The command line (--data-dir, --config).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<bool> JournalHasNoOpenFaultsAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        ChaosConfigurationValidator.Validate(LoadConfiguration(parse));
        StartupTrace.Mark("configuration loaded");
        cancellationToken.ThrowIfCancellationRequested();
        var open = FaultJournal.CountOpen(parse.GetValue(CliOptions.DataDir) ?? ChaosStore.DefaultDataDirectory());
        StartupTrace.Mark("journal read without the engine");
        return await Task.FromResult(open == 0).ConfigureAwait(false);
    }

    /// <summary>Where a server's log file goes: <c>BEV_CHAOS_LOG_DIR</c> (the container sets <c>/app/logs</c>), else <c>DATA_DIR/logs</c>.</summary>
    public static string LogDirectory(string dataDir) =>
        Environment.GetEnvironmentVariable("BEV_CHAOS_LOG_DIR") is { Length: > 0 } configured ? configured : Path.Combine(dataDir, "logs");

    /// <summary>Single-line console logs on stderr, so stdout stays for results.</summary>
    public static ILoggerFactory CreateLoggers(LogLevel level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(level)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        })
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

    /// <summary>
    /// A server's logs: one JSON object a line on stderr at <paramref name="level"/>, and the same
    /// events from Information up in a rolling file (Serilog: 10 MiB a file, 5 kept), so a
    /// server's history survives its console.
    /// </summary>
    public static ILoggerFactory CreateStructuredLoggers(LogLevel level, string file)
    {
        var serilog = new Serilog.LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.File(new Serilog.Formatting.Compact.RenderedCompactJsonFormatter(), file,
                fileSizeLimitBytes: 10 * 1024 * 1024, rollOnFileSizeLimit: true, retainedFileCountLimit: 5, flushToDiskInterval: TimeSpan.FromSeconds(1))
            .CreateLogger();
        return LoggerFactory.Create(builder => builder
            .SetMinimumLevel(level < LogLevel.Information ? level : LogLevel.Information)
            .AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ")
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(l => l >= level)
            .AddSerilog(serilog, dispose: true));
    }

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
