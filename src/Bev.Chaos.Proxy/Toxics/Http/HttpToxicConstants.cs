using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Bev.Chaos.Proxy.Toxics.Http;

/// <summary>Names, defaults and bounds of the HTTP toxics' attributes.</summary>
internal static partial class HttpToxicConstants
{
    public const string AbortType = "http_abort";
    public const string DelayType = "http_delay";
    public const string ReplaceType = "http_replace";

    public const string Method = "method";
    public const string Path = "path";
    public const string HeaderName = "header_name";
    public const string HeaderValue = "header_value";
    public const string Status = "status";
    public const string Body = "body";
    public const string Headers = "headers";
    public const string RemoveHeaders = "remove_headers";
    public const string JsonPatch = "json_patch";
    public const string Reset = "reset";
    public const string DelayMs = "delay_ms";
    public const string JitterMs = "jitter_ms";
    public const string On = "on";

    public const string RequestPhase = "request";
    public const string ResponsePhase = "response";

    public const long MaxDelayMs = 3_600_000;
    public const int MaxPatternLength = 1024;
    public const int MaxBodyLength = 1024 * 1024;
    public const int MaxHeaderValueLength = 8192;

    /// <summary>What <c>http_abort</c> answers when no <c>status</c> is given.</summary>
    public const long DefaultAbortStatus = 503;

    /// <summary>A user's regex gets this long per header value; past it the request counts as not matching.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public static IReadOnlyList<(string Name, AttributeSpec Spec)> AbortAttributes() =>
    [
        .. Matchers(),
        (Status, new NumberSpec(DefaultAbortStatus, 100, 599)),
        (Body, BodySpec),
        (Headers, HeadersSpec),
        (Reset, new FlagSpec()),
    ];

    public static IReadOnlyList<(string Name, AttributeSpec Spec)> DelayAttributes() =>
    [
        .. Matchers(),
        (DelayMs, new NumberSpec(0, 0, MaxDelayMs)),
        (JitterMs, new NumberSpec(0, 0, MaxDelayMs)),
        (On, new TextSpec(RequestPhase, "request (the request reaches the upstream delay_ms after it arrived) or response (the response reaches the client delay_ms after it came back)", p => p is RequestPhase or ResponsePhase ? p : null)),
    ];

    public static IReadOnlyList<(string Name, AttributeSpec Spec)> ReplaceAttributes() =>
    [
        .. Matchers(),
        (Status, new NumberSpec(null, 100, 599)),
        (Body, BodySpec),
        (JsonPatch, new JsonSpec("a JSON object (or text holding one), merged into a JSON response body as RFC 7396 says (null removes a member), e.g. {\"status\": \"degraded\"}", CheckJsonObject)),
        (Headers, HeadersSpec with { AllowNull = true }),
        (RemoveHeaders, new ListSpec("a non-empty list of header names such as [\"ETag\", \"Cache-Control\"]", n => HeaderToken().IsMatch(n) ? n : null)),
    ];

    private static IEnumerable<(string Name, AttributeSpec Spec)> Matchers() =>
    [
        (Method, new TextSpec(null, "an HTTP method such as GET or POST (leave it out for every method)", m => HeaderToken().IsMatch(m) ? m.ToUpperInvariant() : null)),
        (Path, new TextSpec(null, $"a glob of 1 to {MaxPatternLength} characters starting with / (* any characters, / included; ? one character), matched against the path without its query, e.g. \"/api/*\"", p => p.Length is >= 1 and <= MaxPatternLength && p[0] == '/' && !p.Any(char.IsControl) ? p : null)),
        (HeaderName, new TextSpec(null, "a request header's name, e.g. X-Tenant (the request must carry it)", n => HeaderToken().IsMatch(n) ? n : null)),
        (HeaderValue, TextSpec.Regex($"a .NET regular expression of 1 to {MaxPatternLength} characters that the header_name header's value must match, e.g. \"^blue-\"", MaxPatternLength, MatchTimeout)),
    ];

    private static TextSpec BodySpec => new(null, $"text of 0 to {MaxBodyLength} characters, sent as the body (UTF-8)", b => b.Length <= MaxBodyLength ? b : null);

    private static MapSpec HeadersSpec => new(
        $"a JSON object of header names and values, e.g. {{\"Retry-After\": \"5\"}} (names are tokens; values up to {MaxHeaderValueLength} characters without CR, LF or NUL, or null to remove one from a response; Content-Length and Transfer-Encoding are the proxy's)",
        (name, value) => HeaderToken().IsMatch(name)
            && value is not null
            && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            && value.Length <= MaxHeaderValueLength
            && value.IndexOfAny(['\r', '\n', '\0']) < 0
                ? KeyValuePair.Create(name, (string?)value)
                : null);

    private static string? CheckJsonObject(string text)
    {
        try
        {
            return text.Length <= MaxBodyLength && JsonNode.Parse(text) is JsonObject patch ? patch.ToJsonString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // RFC 9110's token: what a method or a field name may be made of.
    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$")]
    private static partial Regex HeaderToken();
}
