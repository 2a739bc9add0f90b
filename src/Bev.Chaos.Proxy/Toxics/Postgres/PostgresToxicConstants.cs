using System.Text.RegularExpressions;

namespace Bev.Chaos.Proxy.Toxics.Postgres;

/// <summary>Names, defaults and bounds of the PostgreSQL toxics' attributes.</summary>
internal static partial class PostgresToxicConstants
{
    public const string ErrorType = "postgres_error";
    public const string DelayType = "postgres_delay";

    public const string Query = "query";
    public const string SqlState = "sqlstate";
    public const string Message = "message";
    public const string Severity = "severity";
    public const string DelayMs = "delay_ms";

    public const long MaxDelayMs = 3_600_000;
    public const int MaxQueryPatternLength = 4096;
    public const int MaxMessageLength = 4096;

    /// <summary>What <c>sqlstate</c> is when not given: internal_error.</summary>
    public const string DefaultSqlState = "XX000";

    public const string DefaultMessage = "injected by bev-chaos";

    /// <summary>A user's regex gets this long per query; past it the query counts as not matching.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public static IReadOnlyList<(string Name, AttributeSpec Spec)> ErrorAttributes() =>
    [
        (Query, QuerySpec),
        (SqlState, new TextSpec(DefaultSqlState, "5 characters of 0-9 A-Z, e.g. 40001 (serialization_failure), 57P01 (admin_shutdown), 53300 (too_many_connections)", CheckSqlState)),
        (Message, new TextSpec(DefaultMessage, $"1 to {MaxMessageLength} characters without NUL", CheckMessage)),
        (Severity, new TextSpec("ERROR", "ERROR (the session goes on) or FATAL (the connection is closed after it)", s => s.ToUpperInvariant() is "ERROR" or "FATAL" ? s.ToUpperInvariant() : null)),
    ];

    public static IReadOnlyList<(string Name, AttributeSpec Spec)> DelayAttributes() =>
    [
        (Query, QuerySpec),
        (DelayMs, new NumberSpec(0, 0, MaxDelayMs)),
    ];

    private static TextSpec QuerySpec => TextSpec.Regex($"a .NET regular expression of 1 to {MaxQueryPatternLength} characters, e.g. \"^\\\\s*UPDATE\\\\s+accounts\" or \"(?i)select .* from orders\"", MaxQueryPatternLength, MatchTimeout);

    private static string? CheckSqlState(string code) => SqlStatePattern().IsMatch(code) ? code : null;

    private static string? CheckMessage(string message) => message.Length is >= 1 and <= MaxMessageLength && !message.Contains('\0', StringComparison.Ordinal) ? message : null;

    [GeneratedRegex("^[0-9A-Z]{5}$")]
    private static partial Regex SqlStatePattern();
}
