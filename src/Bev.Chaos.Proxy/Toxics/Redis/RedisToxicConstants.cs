using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Bev.Chaos.Proxy.Toxics.Redis;

/// <summary>Names, defaults and bounds of the Redis toxics' attributes, and the error lines Redis itself sends.</summary>
internal static partial class RedisToxicConstants
{
    public const string ErrorType = "redis_error";
    public const string DelayType = "redis_delay";

    public const string Commands = "commands";
    public const string Key = "key";
    public const string Error = "error";
    public const string DelayMs = "delay_ms";

    public const long MaxDelayMs = 3_600_000;
    public const int MaxErrorLength = 4096;
    public const int MaxKeyGlobLength = 1024;

    /// <summary>What <c>error</c> is when not given.</summary>
    public const string DefaultError = "ERR injected by bev-chaos";

    /// <summary>
    /// Error kinds that may be given alone (<c>"error": "LOADING"</c>) and stand for the line Redis
    /// itself sends, word for word, so clients that recognise them react as to the real thing.
    /// </summary>
    public static readonly FrozenDictionary<string, string> Kinds = new Dictionary<string, string>
    {
        ["OOM"] = "OOM command not allowed when used memory > 'maxmemory'.",
        ["LOADING"] = "LOADING Redis is loading the dataset in memory",
        ["READONLY"] = "READONLY You can't write against a read only replica.",
        ["BUSY"] = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.",
        ["MASTERDOWN"] = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        ["MISCONF"] = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.",
        ["NOSCRIPT"] = "NOSCRIPT No matching script. Please use EVAL.",
        ["CLUSTERDOWN"] = "CLUSTERDOWN The cluster is down",
        ["TRYAGAIN"] = "TRYAGAIN Multiple keys request during rehashing of slot",
        ["NOAUTH"] = "NOAUTH Authentication required.",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly string KindList = string.Join(", ", Kinds.Keys.Order(StringComparer.Ordinal));

    public static IReadOnlyList<(string Name, AttributeSpec Spec)> ErrorAttributes() =>
    [
        (Commands, CommandsSpec),
        (Key, KeySpec),
        (Error, new TextSpec(DefaultError, $"an error line of 1 to {MaxErrorLength} characters without CR or LF, e.g. \"LOADING Redis is loading the dataset in memory\", or one of {KindList} alone for Redis' own line", CheckError)),
    ];

    public static IReadOnlyList<(string Name, AttributeSpec Spec)> DelayAttributes() =>
    [
        (Commands, CommandsSpec),
        (Key, KeySpec),
        (DelayMs, new NumberSpec(0, 0, MaxDelayMs)),
    ];

    private static ListSpec CommandsSpec => new("a non-empty list of Redis command names such as [\"GET\", \"SET\"] (leave it out for every command)", CheckCommand);

    private static TextSpec KeySpec => new(null, $"a glob of 1 to {MaxKeyGlobLength} characters without CR or LF (* ? [abc] [a-z] [^a] \\x), e.g. \"session:*\"", CheckKey);

    private static string? CheckCommand(string name) => CommandName().IsMatch(name) ? name.ToUpperInvariant() : null;

    private static string? CheckKey(string glob) => glob.Length is >= 1 and <= MaxKeyGlobLength && glob.IndexOfAny(['\r', '\n']) < 0 ? glob : null;

    private static string? CheckError(string line)
    {
        var text = line.StartsWith('-') ? line[1..] : line;
        if (text.Length is 0 or > MaxErrorLength || text.IndexOfAny(['\r', '\n']) >= 0 || string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Kinds.TryGetValue(text, out var full) ? full : text;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.|-]{0,63}$")]
    private static partial Regex CommandName();
}
