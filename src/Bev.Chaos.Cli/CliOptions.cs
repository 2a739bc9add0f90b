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
        Description = "Least severe log level written to stderr.",
        DefaultValueFactory = _ => LogLevel.Warning,
        Recursive = true,
    };

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
