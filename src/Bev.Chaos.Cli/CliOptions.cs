using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Cli;

/// <summary>Options every command takes.</summary>
internal static class CliOptions
{
    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Where the store and fault journal live (default: $BEV_CHAOS_DATA_DIR, $XDG_STATE_HOME/bev-chaos or ~/.local/state/bev-chaos).",
        Recursive = true,
    };

    public static readonly Option<string?> Config = new("--config")
    {
        Description = "chaos_engineer.yaml to load (default: $BEV_CHAOS_CONFIG, else built-in defaults).",
        Recursive = true,
    };

    public static readonly Option<LogLevel> LogLevelOption = new("--log-level")
    {
        Description = "Least severe log level written to stderr: trace, debug, info, warning, error, critical or none (any case; the original's DEBUG, INFO, WARN, FATAL too).",
        DefaultValueFactory = _ => LogLevel.Warning,
        CustomParser = result => ParseLogLevel(result),
        Recursive = true,
    };

    // .NET's level names and Python logging's (the original system's --log-level DEBUG), in any case.
    private static LogLevel ParseLogLevel(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        switch (text.ToUpperInvariant())
        {
            case "TRACE": return LogLevel.Trace;
            case "DEBUG": return LogLevel.Debug;
            case "INFO" or "INFORMATION": return LogLevel.Information;
            case "WARN" or "WARNING": return LogLevel.Warning;
            case "ERROR": return LogLevel.Error;
            case "CRITICAL" or "FATAL": return LogLevel.Critical;
            case "NONE": return LogLevel.None;
            default:
                result.AddError($"--log-level: '{text}' is not allowed; allowed: trace, debug, info, warning, error, critical, none (any case; warn and fatal too)");
                return LogLevel.Warning;
        }
    }

    /// <summary>A running server to talk to instead of acting in this process.</summary>
    public static Option<string?> Server() => new("--server")
    {
        Description = "A bev-chaos server (e.g. http://127.0.0.1:8080) to hand the command to, instead of acting here.",
    };

    /// <summary>The bearer token for <c>--server</c> (default: <c>$BEV_CHAOS_TOKEN</c>).</summary>
    public static Option<string?> Token() => new("--token")
    {
        Description = "The bearer token to send to --server when it has auth.tokens (default: $BEV_CHAOS_TOKEN).",
    };

    public static Option<string> Output()
    {
        var option = new Option<string>("--output")
        {
            Description = "table (for people) or json (for scripts).",
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(DataDir);
        root.Options.Add(Config);
        root.Options.Add(LogLevelOption);
    }
}
