using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bev.Chaos.Proxy.Api;

/// <summary>Toxiproxy's JSON shapes, read and written by hand so every client library sees exactly them.</summary>
internal static class ToxiproxyJson
{
    public static JsonObject Proxy(ChaosProxy proxy) => new()
    {
        ["name"] = proxy.Name,
        ["listen"] = proxy.Listen,
        ["upstream"] = proxy.Upstream,
        ["enabled"] = proxy.Enabled,
        ["toxics"] = new JsonArray(proxy.Toxics.Select(t => (JsonNode)Toxic(t)).ToArray()),
    };

    public static JsonObject Toxic(ToxicDefinition toxic)
    {
        var attributes = new JsonObject();
        foreach (var (key, value) in toxic.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            attributes[key] = value;
        }

        return new JsonObject
        {
            ["attributes"] = attributes,
            ["name"] = toxic.Name,
            ["type"] = toxic.Type,
            ["stream"] = toxic.Stream == ToxicStream.Upstream ? "upstream" : "downstream",
            ["toxicity"] = toxic.Toxicity,
        };
    }

    public static JsonObject Error(string message, int status, string? field = null)
    {
        var error = new JsonObject { ["error"] = message, ["status"] = status };
        if (field is not null)
        {
            error["field"] = field;
        }

        return error;
    }

    public static async Task<JsonNode> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonNode.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw ProxyException.BadRequest("bad request body: empty");
        }
        catch (JsonException ex)
        {
            throw ProxyException.BadRequest("bad request body: " + ex.Message);
        }
    }

    public static JsonObject Object(JsonNode node, string what) =>
        node as JsonObject ?? throw ProxyException.BadRequest($"bad request body: {what} must be a JSON object");

    public static string? String(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => throw ProxyException.BadRequest($"bad request body: {key} must be a string, not {other.ToJsonString()}"),
    };

    public static bool? Bool(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        var other => throw ProxyException.BadRequest($"bad request body: {key} must be true or false, not {other.ToJsonString()}"),
    };

    public static double? Number(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        var other => throw ProxyException.BadRequest($"bad request body: {key} must be a number, not {other.ToJsonString()}"),
    };

    public static Dictionary<string, long>? Attributes(JsonObject o)
    {
        if (o["attributes"] is null)
        {
            return null;
        }

        if (o["attributes"] is not JsonObject attributes)
        {
            throw ProxyException.BadRequest("bad request body: attributes must be an object");
        }

        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() is var d && d == Math.Floor(d) && Math.Abs(d) < 1e15)
            {
                result[key] = (long)d;
            }
            else
            {
                throw ProxyException.BadRequest($"attributes.{key}: {value?.ToJsonString() ?? "null"} is not a whole number");
            }
        }

        return result;
    }

    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
