using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Bev.Chaos.Experiments.ChaosToolkit;

/// <summary>
/// Chaos Toolkit tolerances: an exact value, a list of values, and the <c>range</c>, <c>regex</c>
/// and <c>jsonpath</c> forms, against an http output (<c>status</c>, <c>body</c>) or a process output
/// (<c>status</c> = exit code, <c>stdout</c>).
/// </summary>
public static class Tolerance
{
    public static bool Check(JsonNode? tolerance, JsonNode? output, string providerType)
    {
        var defaultText = providerType == "http" ? "body" : "stdout";
        switch (tolerance)
        {
            case null:
                return true;
            case JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return value.GetValueKind() == JsonValueKind.True;
            case JsonValue value when Number(value) is { } number:
                return Number(output?["status"]) == number;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return Text(output?[defaultText])?.Trim() == value.GetValue<string>();
            case JsonArray list:
                return list.Any(item => Check(item, output, providerType));
            case JsonObject form:
                var target = form["target"]?.GetValue<string>();
                switch (form["type"]?.GetValue<string>())
                {
                    case "range":
                        var bounds = form["range"]!.AsArray();
                        var observed = Number(output?[target ?? "status"]);
                        return observed is { } o && o >= Number(bounds[0]) && o <= Number(bounds[1]);
                    case "regex":
                        return Text(output?[target ?? defaultText]) is { } s && Regex.IsMatch(s, form["pattern"]!.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1));
                    case "jsonpath":
                        var source = output?[target ?? defaultText];
                        if (source is JsonValue raw && raw.TryGetValue<string>(out var json))
                        {
                            source = JsonNode.Parse(json);
                        }

                        var found = Select(source, form["path"]!.GetValue<string>());
                        return found.Count > 0 && (form["expect"] is not { } expect || found.Any(f => JsonNode.DeepEquals(f, expect) || Text(f) == Text(expect)));
                    default:
                        return false;
                }

            default:
                return false;
        }
    }

    /// <summary>A small JSONPath subset: <c>$.a.b</c>, <c>$.a[0].b</c>, <c>$.a[*].b</c>.</summary>
    public static List<JsonNode?> Select(JsonNode? root, string path)
    {
        var current = new List<JsonNode?> { root };
        foreach (Match part in Regex.Matches(path.TrimStart('$'), @"\.([^.\[]+)|\[(\d+|\*)\]", RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                if (part.Groups[1].Success && node is JsonObject o && o.TryGetPropertyValue(part.Groups[1].Value, out var child))
                {
                    next.Add(child);
                }
                else if (part.Groups[2].Success && node is JsonArray a)
                {
                    if (part.Groups[2].Value == "*")
                    {
                        next.AddRange(a);
                    }
                    else if (int.Parse(part.Groups[2].Value, CultureInfo.InvariantCulture) is var i && i < a.Count)
                    {
                        next.Add(a[i]);
                    }
                }
            }

            current = next;
        }

        return current;
    }

    // Values built in code (int, long) and parsed ones (JsonElement) alike.
    private static double? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}
