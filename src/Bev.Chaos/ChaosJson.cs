using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bev.Chaos;

/// <summary>
/// The one JSON wire format: snake_case fields, enums as snake_case text, text written as is
/// (no <c>\u0027</c> for an apostrophe). The HTTP API, <c>/ws</c>, <c>--output json</c>, reports
/// and the store all write through these, so what one emits the others read alike.
/// </summary>
public static class ChaosJson
{
    /// <summary>Compact, for the HTTP API and <c>/ws</c>. Read-only.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same, indented, for files and <c>--output json</c>. Read-only.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = indented,

            // Never embedded in HTML by us (the report and dashboard build their markup apart), so
            // readable text beats escaping every non-ASCII letter and quote.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
