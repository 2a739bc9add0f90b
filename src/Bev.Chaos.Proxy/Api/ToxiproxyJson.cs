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
        ["protocol"] = proxy.Protocol.Name(),
        ["toxics"] = Toxics(proxy),
    };

    public static JsonArray Toxics(ChaosProxy proxy)
    {
        var counters = proxy.Counters;
        return new JsonArray(proxy.Toxics.Select(t => (JsonNode)Toxic(t, counters.GetValueOrDefault(t.Name))).ToArray());
    }

    /// <summary>
    /// A toxic in Toxiproxy's shape. Protocol toxics add what they have done: <c>matched</c> and
    /// <c>affected</c> commands (Toxiproxy clients ignore fields they do not know).
    /// </summary>
    public static JsonObject Toxic(ToxicDefinition toxic, ToxicCounters? counters)
    {
        var attributes = new JsonObject();
        var all = toxic.Attributes.Select(a => (a.Key, Value: (JsonNode?)JsonValue.Create(a.Value)))
            .Concat(toxic.Texts.Select(t => (t.Key, Value: (JsonNode?)JsonValue.Create(t.Value))))
            .Concat(toxic.Lists.Select(l => (l.Key, Value: (JsonNode?)new JsonArray(l.Value.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()))))
            .Concat(toxic.Maps.Select(m => (m.Key, Value: (JsonNode?)new JsonObject(m.Value.Select(e => KeyValuePair.Create(e.Key, e.Value is null ? null : (JsonNode?)JsonValue.Create(e.Value)))))));
        foreach (var (key, value) in all.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            attributes[key] = value;
        }

        var json = new JsonObject
        {
            ["attributes"] = attributes,
            ["name"] = toxic.Name,
            ["type"] = toxic.Type,
            ["stream"] = toxic.Stream == ToxicStream.Upstream ? "upstream" : "downstream",
            ["toxicity"] = toxic.Toxicity,
        };
        if (ToxicTypes.ProtocolOf(toxic.Type) is not null)
        {
            json["matched"] = counters?.Matched ?? 0;
            json["affected"] = counters?.Affected ?? 0;
        }

        return json;
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
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex)
        {
            // Kestrel's body limit (1 MiB): a 413 with Toxiproxy's error body, like every other refusal.
            throw new ProxyException("bad request body: " + ex.Message, ex.StatusCode);
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

    /// <summary>The <c>attributes</c> object as given; <see cref="ToxicTypes.DefineFromJson"/> checks each against its type.</summary>
    public static Dictionary<string, JsonNode?>? Attributes(JsonObject o)
    {
        if (o["attributes"] is null)
        {
            return null;
        }

        if (o["attributes"] is not JsonObject attributes)
        {
            throw ProxyException.BadField("attributes", "bad request body: attributes must be an object");
        }

        return attributes.ToDictionary(a => a.Key, a => a.Value?.DeepClone(), StringComparer.Ordinal);
    }

    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
