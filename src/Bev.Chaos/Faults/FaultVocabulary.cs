using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults;

/// <summary>
/// The one spelling of a fault, the original system's: <c>injector_name</c>, <c>target_service</c>,
/// <c>profile_name</c>, <c>parameters</c>, <c>duration_seconds</c>. The short spellings
/// <c>injector</c>, <c>target</c>, <c>profile</c> and <c>duration</c> are aliases, accepted alike in
/// <c>POST /faults</c>, experiment bodies and scenario steps; an alias and its canonical field both
/// given with different values is an error naming both.
/// </summary>
public static class FaultVocabulary
{
    /// <summary>The canonical field names with their aliases.</summary>
    public static IReadOnlyList<(string Canonical, string Alias)> Fields { get; } =
    [
        ("injector_name", "injector"),
        ("target_service", "target"),
        ("profile_name", "profile"),
        ("duration_seconds", "duration"),
    ];

    /// <summary>The key that holds a fault's own parameters.</summary>
    public const string Parameters = "parameters";

    /// <summary>True for a canonical field, an alias, or <c>parameters</c>.</summary>
    public static bool IsVocabulary(string key) => key == Parameters || Fields.Any(f => f.Canonical == key || f.Alias == key);

    /// <summary>
    /// A copy of <paramref name="body"/> with every alias renamed to its canonical field, and a
    /// <c>duration_seconds</c> written with a unit (<c>"20s"</c>, <c>"500ms"</c>) turned into seconds.
    /// </summary>
    /// <param name="body">A JSON fault object.</param>
    /// <param name="prefix">Prepended to field names in errors (e.g. <c>fault_injections[0].</c>).</param>
    /// <param name="errors">Receives an error for each alias that contradicts its canonical field.</param>
    public static JsonObject Normalize(JsonObject body, string prefix, List<ValidationError> errors)
    {
        var result = new JsonObject();
        foreach (var (key, value) in body)
        {
            var canonical = Fields.FirstOrDefault(f => f.Alias == key).Canonical ?? key;
            var normalized = canonical == "duration_seconds" ? Seconds(value) : value?.DeepClone();
            if (result.TryGetPropertyValue(canonical, out var existing))
            {
                if (!JsonNode.DeepEquals(existing, normalized))
                {
                    errors.Add(Conflict(prefix, canonical, existing?.ToJsonString(), normalized?.ToJsonString()));
                }

                continue;
            }

            result[canonical] = normalized;
        }

        return result;
    }

    /// <summary>
    /// A copy of a scenario step's parameters with every alias renamed to its canonical field
    /// (values as written; scenario durations keep their units).
    /// </summary>
    /// <param name="parameters">The step's parameters.</param>
    /// <param name="prefix">Prepended to field names in errors.</param>
    /// <param name="errors">Receives an error for each alias that contradicts its canonical field.</param>
    /// <param name="location">file:line of the step.</param>
    public static Dictionary<string, object?> Normalize(IReadOnlyDictionary<string, object?> parameters, string prefix, List<ValidationError> errors, string? location)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            var canonical = Fields.FirstOrDefault(f => f.Alias == key).Canonical ?? key;
            if (result.TryGetValue(canonical, out var existing))
            {
                if (!SameValue(canonical, existing, value))
                {
                    errors.Add(Conflict(prefix, canonical, Text(existing), Text(value)) with { Location = location });
                }

                continue;
            }

            result[canonical] = value;
        }

        return result;
    }

    private static ValidationError Conflict(string prefix, string canonical, string? first, string? second)
    {
        var alias = Fields.First(f => f.Canonical == canonical).Alias;
        return new ValidationError($"{prefix}{canonical}", $"{canonical}={first}, {alias}={second}",
            $"{canonical} or its alias {alias}, not both with different values");
    }

    private static bool SameValue(string canonical, object? a, object? b)
    {
        if (canonical == "duration_seconds" && Text(a) is { } x && Text(b) is { } y && DurationText.TryParse(x, out var l) && DurationText.TryParse(y, out var r))
        {
            return l == r;
        }

        return Text(a) == Text(b);
    }

    private static string? Text(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture);

    // A duration with a unit becomes seconds; anything else stays for the reader to judge.
    private static JsonNode? Seconds(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String && DurationText.TryParse(v.GetValue<string>(), out var duration)
            ? JsonValue.Create(duration.TotalSeconds)
            : value?.DeepClone();
}
