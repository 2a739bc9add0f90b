using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace Bev.Chaos.Probes;

/// <summary>
/// Chaos Toolkit tolerances, judged case by case as chaoslib's <c>within_tolerance</c> judges them:
/// a boolean or a string equals the whole output; an integer equals the output's <c>status</c>; a
/// list holds the status, or is an inclusive range of two values, or holds the value; <c>regex</c>
/// searches (not anchors) the output named by <c>target</c>; <c>jsonpath</c> compares the list of
/// matched values with <c>expect</c> (a value means a list of one) or counts them; <c>range</c> is
/// inclusive at both ends. JSONPath is Newtonsoft.Json's <c>SelectTokens</c>.
/// </summary>
public static class Tolerance
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Whether <paramref name="output"/> (a provider's output) is within <paramref name="tolerance"/>.</summary>
    /// <param name="tolerance">The probe's tolerance as written.</param>
    /// <param name="output">http: <c>{status, headers, body}</c>; process: <c>{status, stdout, stderr}</c>.</param>
    /// <param name="providerType">The provider that produced the output (http or process).</param>
    public static bool Check(JsonNode? tolerance, JsonNode? output, string providerType)
    {
        _ = providerType;
        switch (tolerance)
        {
            case JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False or JsonValueKind.String:
                return PyEquals(output, value);
            case JsonValue value when IsInteger(value):
                return output is JsonObject o && o.ContainsKey("status") ? PyEquals(o["status"], value) : PyEquals(output, value);
            case JsonArray list:
                if (output is JsonObject withStatus && withStatus.ContainsKey("status"))
                {
                    return list.Any(item => PyEquals(withStatus["status"], item));
                }

                return list.Count == 2
                    ? Compare(list[0], output) is <= 0 && Compare(output, list[1]) is <= 0
                    : list.Any(item => PyEquals(output, item));
            case JsonObject form:
                return Form(form, output);
            default:
                // A float, null or anything else: chaoslib has no rule for it (it refuses such an experiment).
                return false;
        }
    }

    /// <summary>
    /// Checks a tolerance the way chaoslib's <c>ensure_hypothesis_tolerance_is_valid</c> does, and
    /// also refuses what chaoslib would only fail on while running (a regex or range over a whole
    /// http or process output, which is a mapping, not text or a number).
    /// </summary>
    public static void Validate(JsonNode? tolerance, string providerType, string field, string? location, List<ValidationError> errors)
    {
        const string Kinds = "an integer, a string, a boolean, a list, or an object of type regex, jsonpath or range";
        switch (tolerance)
        {
            case null:
                errors.Add(new ValidationError(field, null, "a tolerance: Chaos Toolkit requires one on every steady-state probe (" + Kinds + ")", location));
                return;
            case JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False or JsonValueKind.String || IsInteger(value):
            case JsonArray:
                return;
            case JsonValue value:
                errors.Add(new ValidationError(field, value.ToJsonString(), Kinds + " (Chaos Toolkit refuses a tolerance of this type)", location));
                return;
            case JsonObject form:
                ValidateForm(form, providerType, field, location, errors);
                return;
        }
    }

    /// <summary>The values <paramref name="path"/> (JSONPath, as Newtonsoft.Json reads it) selects in <paramref name="root"/>.</summary>
    /// <exception cref="Newtonsoft.Json.JsonException">The path is not valid JSONPath.</exception>
    public static List<JsonNode?> Select(JsonNode? root, string path) =>
        ToToken(root).SelectTokens(path, errorWhenNoMatch: false).Select(FromToken).ToList();

    private static bool Form(JsonObject form, JsonNode? output)
    {
        var value = output;
        if (Text(form["target"]) is { } target && output is JsonObject mapping && mapping.ContainsKey(target))
        {
            // chaoslib: value.get(target, value) — a missing target leaves the whole output.
            value = mapping[target];
        }

        switch (Text(form["type"]))
        {
            case "regex":
                return Text(form["pattern"]) is { } pattern && value is JsonValue v && v.GetValueKind() == JsonValueKind.String
                    && MatchesWithin(v.GetValue<string>(), pattern);
            case "jsonpath":
                if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String)
                {
                    try
                    {
                        value = JsonNode.Parse(text.GetValue<string>());
                    }
                    catch (JsonException)
                    {
                        // chaoslib keeps text that is not JSON as it is.
                    }
                }

                List<JsonNode?> values;
                try
                {
                    values = Select(value, Text(form["path"]) ?? string.Empty);
                }
                catch (Newtonsoft.Json.JsonException)
                {
                    return false;
                }

                var result = values.Count > 0;
                if (form["count"] is JsonValue count && IsInteger(count))
                {
                    result = values.Count == count.GetValue<long>();
                }

                // As chaoslib: expect, when given, decides alone (count included).
                if (form.TryGetPropertyValue("expect", out var expect))
                {
                    var expected = expect as JsonArray ?? new JsonArray(expect?.DeepClone());
                    result = values.Count == expected.Count && values.Zip(expected).All(p => PyEquals(p.First, p.Second));
                }

                return result;
            case "range":
                return form["range"] is JsonArray { Count: 2 } bounds && Decimal(value) is { } observed
                    && Decimal(bounds[0]) is { } low && Decimal(bounds[1]) is { } high
                    && low <= observed && observed <= high;
            default:
                return false;
        }
    }

    private static void ValidateForm(JsonObject form, string providerType, string field, string? location, List<ValidationError> errors)
    {
        var type = Text(form["type"]);
        var wholeOutput = providerType is "http" or "process" && Text(form["target"]) is null;
        var targets = providerType == "http" ? "status, headers or body" : "status, stdout or stderr";
        switch (type)
        {
            case "regex":
                if (Text(form["pattern"]) is not { } pattern)
                {
                    errors.Add(new ValidationError(field + ".pattern", form["pattern"]?.ToJsonString(), "a regular expression (a regex tolerance must have a pattern)", location));
                }
                else
                {
                    try
                    {
                        _ = new Regex(pattern, RegexOptions.None, RegexTimeout);
                    }
                    catch (ArgumentException ex)
                    {
                        errors.Add(new ValidationError(field + ".pattern", pattern, "a valid regular expression (" + ex.Message + ")", location));
                    }
                }

                if (wholeOutput)
                {
                    errors.Add(new ValidationError(field + ".target", null, $"the output to search: {targets} (an {providerType} probe's output is a mapping; Chaos Toolkit fails a regex on it)", location));
                }

                break;
            case "jsonpath":
                var path = Text(form["path"])?.Trim();
                if (string.IsNullOrEmpty(path))
                {
                    errors.Add(new ValidationError(field + ".path", form["path"]?.ToJsonString(), "a JSONPath, e.g. $.status (a jsonpath tolerance must have a path)", location));
                }
                else
                {
                    try
                    {
                        _ = new JObject().SelectTokens(path, errorWhenNoMatch: false).ToList();
                    }
                    catch (Newtonsoft.Json.JsonException ex)
                    {
                        errors.Add(new ValidationError(field + ".path", path, "a valid JSONPath (" + ex.Message + ")", location));
                    }
                }

                if (form["count"] is { } count && !(count is JsonValue c && IsInteger(c)))
                {
                    errors.Add(new ValidationError(field + ".count", count.ToJsonString(), "an integer: how many values the path must match", location));
                }

                break;
            case "range":
                if (form["range"] is not JsonArray { Count: 2 } bounds || bounds.Any(b => b is not JsonValue bv || bv.GetValueKind() != JsonValueKind.Number))
                {
                    errors.Add(new ValidationError(field + ".range", form["range"]?.ToJsonString(), "two numbers, lower and upper bound (both inclusive)", location));
                }

                if (wholeOutput)
                {
                    errors.Add(new ValidationError(field + ".target", null, $"the output to compare: {targets} (an {providerType} probe's output is a mapping, not a number)", location));
                }

                break;
            case "probe":
                errors.Add(new ValidationError(field + ".type", type, "regex, jsonpath or range (a probe as tolerance is not supported: it needs the python provider; use a jsonpath, regex or range tolerance on the probe's output)", location));
                break;
            default:
                errors.Add(new ValidationError(field + ".type", type, "regex, jsonpath or range", location));
                break;
        }
    }

    // Python's ==: numbers by value (True == 1, 200 == 200.0), text ordinally, lists item by item, mappings key by key.
    private static bool PyEquals(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (Decimal(a, allowText: false) is { } x && Decimal(b, allowText: false) is { } y)
        {
            return x == y;
        }

        return (a, b) switch
        {
            (JsonArray l, JsonArray r) => l.Count == r.Count && l.Zip(r).All(p => PyEquals(p.First, p.Second)),
            (JsonObject l, JsonObject r) => l.Count == r.Count && l.All(p => r.TryGetPropertyValue(p.Key, out var other) && PyEquals(p.Value, other)),
            (JsonValue l, JsonValue r) when l.GetValueKind() == JsonValueKind.String && r.GetValueKind() == JsonValueKind.String => l.GetValue<string>() == r.GetValue<string>(),
            _ => false,
        };
    }

    // Python's ordering of two numbers or two strings; null where Python would raise (TypeError).
    private static int? Compare(JsonNode? a, JsonNode? b)
    {
        if (Decimal(a, allowText: false) is { } x && Decimal(b, allowText: false) is { } y)
        {
            return x.CompareTo(y);
        }

        return a is JsonValue l && b is JsonValue r && l.GetValueKind() == JsonValueKind.String && r.GetValueKind() == JsonValueKind.String
            ? string.CompareOrdinal(l.GetValue<string>(), r.GetValue<string>())
            : null;
    }

    // Python's Decimal(value): numbers, booleans, and (for range) text that reads as a number.
    private static decimal? Decimal(JsonNode? node, bool allowText = true)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.True => 1m,
            JsonValueKind.False => 0m,
            JsonValueKind.Number => decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null,
            JsonValueKind.String when allowText => decimal.TryParse(value.GetValue<string>().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : null,
            _ => null,
        };
    }

    private static bool IsInteger(JsonValue value) =>
        value.GetValueKind() == JsonValueKind.Number && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    // Dates stay text and numbers stay exact, so a selected value compares as it was written.
    private static JToken ToToken(JsonNode? node)
    {
        using var reader = new Newtonsoft.Json.JsonTextReader(new StringReader(node?.ToJsonString() ?? "null"))
        {
            DateParseHandling = Newtonsoft.Json.DateParseHandling.None,
            FloatParseHandling = Newtonsoft.Json.FloatParseHandling.Decimal,
        };
        return JToken.ReadFrom(reader);
    }

    private static JsonNode? FromToken(JToken token) => JsonNode.Parse(token.ToString(Newtonsoft.Json.Formatting.None));

    // A pattern that backtracks past its time budget does not hold; it must not end the run.
    private static bool MatchesWithin(string text, string pattern)
    {
        try
        {
            return Regex.IsMatch(text, pattern, RegexOptions.None, RegexTimeout);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
