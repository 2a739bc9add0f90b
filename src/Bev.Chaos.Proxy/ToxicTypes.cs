using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bev.Chaos.Proxy.Toxics;
using Bev.Chaos.Proxy.Toxics.Http;
using Bev.Chaos.Proxy.Toxics.Postgres;
using Bev.Chaos.Proxy.Toxics.Redis;

namespace Bev.Chaos.Proxy;

/// <summary>The toxic types, their attributes with defaults and bounds, and how to build one.</summary>
public static class ToxicTypes
{
    private const long Big = 1L << 40;
    private const long Hour = 3_600_000;

    /// <summary>The attribute every protocol toxic takes for its random source; reported when not given.</summary>
    internal const string SeedAttribute = "seed";

    private static readonly FrozenDictionary<string, TypeInfo> Types = new Dictionary<string, TypeInfo>
    {
        ["latency"] = Plain(d => new LatencyToxic(d), ("latency", new NumberSpec(0, 0, Hour)), ("jitter", new NumberSpec(0, 0, Hour))),
        ["bandwidth"] = Plain(d => new BandwidthToxic(d), ("rate", new NumberSpec(0, 0, Big))),
        ["slow_close"] = Plain(d => new SlowCloseToxic(d), ("delay", new NumberSpec(0, 0, Hour))),
        ["timeout"] = Plain(d => new TimeoutToxic(d), ("timeout", new NumberSpec(0, 0, Hour))),
        ["reset_peer"] = Plain(d => new ResetPeerToxic(d), ("timeout", new NumberSpec(0, 0, Hour))),
        ["slicer"] = Plain(d => new SlicerToxic(d), ("average_size", new NumberSpec(0, 0, Big)), ("size_variation", new NumberSpec(0, 0, Big)), ("delay", new NumberSpec(0, 0, 3_600_000_000))),
        ["limit_data"] = Plain(d => new LimitDataToxic(d), ("bytes", new NumberSpec(0, 0, Big))),
        [HttpToxicConstants.AbortType] = Protocol(ProxyProtocol.Http, d => new HttpAbortToxic(d), HttpToxicConstants.AbortAttributes()),
        [HttpToxicConstants.DelayType] = Protocol(ProxyProtocol.Http, d => new HttpDelayToxic(d), HttpToxicConstants.DelayAttributes()),
        [HttpToxicConstants.ReplaceType] = Protocol(ProxyProtocol.Http, d => new HttpReplaceToxic(d), HttpToxicConstants.ReplaceAttributes()),
        [RedisToxicConstants.ErrorType] = Protocol(ProxyProtocol.Redis, d => new RedisErrorToxic(d), RedisToxicConstants.ErrorAttributes()),
        [RedisToxicConstants.DelayType] = Protocol(ProxyProtocol.Redis, d => new RedisDelayToxic(d), RedisToxicConstants.DelayAttributes()),
        [PostgresToxicConstants.ErrorType] = Protocol(ProxyProtocol.Postgres, d => new PostgresErrorToxic(d), PostgresToxicConstants.ErrorAttributes()),
        [PostgresToxicConstants.DelayType] = Protocol(ProxyProtocol.Postgres, d => new PostgresDelayToxic(d), PostgresToxicConstants.DelayAttributes()),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every type name.</summary>
    public static IEnumerable<string> Names => Types.Keys.Order(StringComparer.Ordinal);

    /// <summary>The protocol a type needs its proxy to speak; null for Toxiproxy's L4 types (any proxy).</summary>
    public static ProxyProtocol? ProtocolOf(string type) => Types.TryGetValue(type, out var info) ? info.Protocol : null;

    /// <summary>Builds a validated definition from whole-number attributes; throws 400 naming the attribute, value and bounds.</summary>
    /// <exception cref="ProxyException">A type, stream, toxicity or attribute is not allowed.</exception>
    public static ToxicDefinition Define(string? name, string? type, string? stream, double? toxicity, IReadOnlyDictionary<string, long>? attributes, ToxicDefinition? previous = null) =>
        DefineFromJson(name, type, stream, toxicity, attributes?.ToDictionary(a => a.Key, a => (JsonNode?)JsonValue.Create(a.Value), StringComparer.Ordinal), previous);

    /// <summary>
    /// Builds a validated definition from JSON attribute values (numbers, strings, arrays of
    /// strings, as the type declares); throws 400 naming the attribute, value and what is allowed.
    /// A protocol toxic given no <c>seed</c> gets one drawn here, so that its JSON reports it and
    /// the run can be replayed.
    /// </summary>
    /// <exception cref="ProxyException">A type, stream, toxicity or attribute is not allowed.</exception>
    public static ToxicDefinition DefineFromJson(string? name, string? type, string? stream, double? toxicity, IReadOnlyDictionary<string, JsonNode?>? attributes, ToxicDefinition? previous = null)
    {
        type ??= previous?.Type;
        if (type is null || !Types.TryGetValue(type, out var info))
        {
            throw ProxyException.BadField("type", $"invalid toxic type: '{type}' (allowed: {string.Join(", ", Names)})");
        }

        var direction = stream is null ? previous?.Stream ?? ToxicStream.Downstream
            : stream == "upstream" ? ToxicStream.Upstream
            : stream == "downstream" ? ToxicStream.Downstream
            : throw ProxyException.BadField("stream", $"stream was invalid, can be either upstream or downstream: '{stream}'");
        var level = toxicity ?? previous?.Toxicity ?? 1.0;
        if (!double.IsFinite(level) || level is < 0 or > 1)
        {
            throw ProxyException.BadField("toxicity", $"toxicity: {level} is out of range (allowed: 0.0 to 1.0)");
        }

        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var lists = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        var maps = new Dictionary<string, ImmutableArray<KeyValuePair<string, string?>>>(StringComparer.Ordinal);
        foreach (var (key, spec) in info.Attributes)
        {
            switch (spec)
            {
                case NumberSpec number when previous?.Attributes.TryGetValue(key, out var kept) == true:
                    numbers[key] = kept;
                    break;
                case NumberSpec { Default: { } fallback }:
                    numbers[key] = fallback;
                    break;
                case TextSpec when previous?.Texts.TryGetValue(key, out var kept) == true:
                    texts[key] = kept;
                    break;
                case TextSpec { Default: { } fallback }:
                    texts[key] = fallback;
                    break;
                case ListSpec when previous?.Lists.TryGetValue(key, out var kept) == true:
                    lists[key] = kept;
                    break;
                case MapSpec when previous?.Maps.TryGetValue(key, out var kept) == true:
                    maps[key] = kept;
                    break;
                case FlagSpec:
                    numbers[key] = previous?.Attributes.GetValueOrDefault(key) ?? 0;
                    break;
                case JsonSpec when previous?.Texts.TryGetValue(key, out var kept) == true:
                    texts[key] = kept;
                    break;
            }
        }

        foreach (var (key, value) in attributes ?? new Dictionary<string, JsonNode?>())
        {
            if (!info.Attributes.TryGetValue(key, out var spec))
            {
                throw ProxyException.BadField($"attributes.{key}", $"attributes.{key}: not an attribute of {type} (allowed: {string.Join(", ", info.Attributes.Keys)})");
            }

            var shown = value?.ToJsonString() ?? "null";
            if (shown.Length > 120)
            {
                shown = shown[..120] + "…";
            }

            switch (spec)
            {
                case NumberSpec number:
                    if (value is not JsonValue v || !TryWhole(v, out var whole))
                    {
                        throw ProxyException.BadField($"attributes.{key}", $"attributes.{key}: {shown} is not a whole number");
                    }

                    if (whole < number.Min || whole > number.Max)
                    {
                        throw ProxyException.BadField($"attributes.{key}", $"attributes.{key}: {whole} is out of range (allowed: {number.Min} to {number.Max})");
                    }

                    numbers[key] = whole;
                    break;
                case TextSpec text:
                    if (value is not JsonValue t || t.GetValueKind() != JsonValueKind.String || text.Check(t.GetValue<string>()) is not { } normalized)
                    {
                        throw ProxyException.BadField($"attributes.{key}", $"attributes.{key}: {shown} is not allowed (allowed: {text.Allowed})");
                    }

                    texts[key] = normalized;
                    break;
                case ListSpec list:
                    if (value is not JsonArray items || items.Count == 0)
                    {
                        throw ProxyException.BadField($"attributes.{key}", $"attributes.{key}: {shown} is not allowed (allowed: {list.Allowed})");
                    }

                    var parsed = ImmutableArray.CreateBuilder<string>(items.Count);
                    foreach (var item in items)
                    {
                        if (item is not JsonValue s || s.GetValueKind() != JsonValueKind.String || list.CheckItem(s.GetValue<string>()) is not { } one)
                        {
                            throw ProxyException.BadField($"attributes.{key}", $"attributes.{key}: {item?.ToJsonString() ?? "null"} is not allowed (allowed: {list.Allowed})");
                        }

                        parsed.Add(one);
                    }

                    lists[key] = parsed.ToImmutable();
                    break;
                case FlagSpec:
                    numbers[key] = value switch
                    {
                        JsonValue b when b.GetValueKind() == JsonValueKind.True => 1,
                        JsonValue b when b.GetValueKind() == JsonValueKind.False => 0,
                        JsonValue n when TryWhole(n, out var bit) && bit is 0 or 1 => bit,
                        _ => throw ProxyException.BadField($"attributes.{key}", $"attributes.{key}: {shown} is not allowed (allowed: true or false, or 1 or 0)"),
                    };
                    break;
                case MapSpec map:
                    if (value is not JsonObject entries || entries.Count == 0)
                    {
                        throw ProxyException.BadField($"attributes.{key}", $"attributes.{key}: {shown} is not allowed (allowed: {map.Allowed})");
                    }

                    var pairs = ImmutableArray.CreateBuilder<KeyValuePair<string, string?>>(entries.Count);
                    foreach (var (entryName, entryValue) in entries)
                    {
                        if (entryValue is null && map.AllowNull)
                        {
                            pairs.Add(KeyValuePair.Create(entryName, (string?)null));
                            continue;
                        }

                        if (entryValue is not JsonValue ev || ev.GetValueKind() != JsonValueKind.String || map.CheckEntry(entryName, ev.GetValue<string>()) is not { } entry)
                        {
                            throw ProxyException.BadField($"attributes.{key}.{entryName}", $"attributes.{key}.{entryName}: {entryValue?.ToJsonString() ?? "null"} is not allowed (allowed: {map.Allowed})");
                        }

                        pairs.Add(entry);
                    }

                    maps[key] = pairs.ToImmutable();
                    break;
                case JsonSpec json:
                    var candidate = value is JsonValue js && js.GetValueKind() == JsonValueKind.String ? js.GetValue<string>() : value?.ToJsonString() ?? "null";
                    texts[key] = json.Check(candidate) ?? throw ProxyException.BadField($"attributes.{key}", $"attributes.{key}: {shown} is not allowed (allowed: {json.Allowed})");
                    break;
            }
        }

        if (info.Protocol is not null && !numbers.ContainsKey(SeedAttribute))
        {
            numbers[SeedAttribute] = Random.Shared.Next();
        }

        var lowered = direction == ToxicStream.Upstream ? "upstream" : "downstream";
        return new ToxicDefinition(string.IsNullOrEmpty(name) ? previous?.Name ?? $"{type}_{lowered}" : name, type, direction, level, numbers.ToFrozenDictionary(StringComparer.Ordinal))
        {
            Texts = texts.ToFrozenDictionary(StringComparer.Ordinal),
            Lists = lists.ToFrozenDictionary(StringComparer.Ordinal),
            Maps = maps.ToFrozenDictionary(StringComparer.Ordinal),
        };
    }

    internal static Toxic Create(ToxicDefinition definition, ToxicCounters? counters = null)
    {
        var toxic = Types[definition.Type].Create(definition);
        return counters is null ? toxic : toxic.WithCounters(counters);
    }

    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A JSON number without a fraction (5 and 5.0 alike), within what a double holds exactly.</summary>
    private static bool TryWhole(JsonValue value, out long whole)
    {
        whole = 0;
        if (value.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        // The number as written, whatever .NET type the node holds (parsed JSON, or a long or int from C#).
        var text = value.ToJsonString();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exact) && Math.Abs(exact) < 1e15)
        {
            whole = exact;
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e15)
        {
            whole = (long)d;
            return true;
        }

        return false;
    }

    private static TypeInfo Plain(Func<ToxicDefinition, Toxic> create, params (string Name, AttributeSpec Spec)[] attributes) =>
        new(attributes.ToDictionary(a => a.Name, a => a.Spec, StringComparer.Ordinal), null, create);

    private static TypeInfo Protocol(ProxyProtocol protocol, Func<ToxicDefinition, Toxic> create, IReadOnlyList<(string Name, AttributeSpec Spec)> attributes) =>
        new(attributes.Append((SeedAttribute, new NumberSpec(null, 0, int.MaxValue))).ToDictionary(a => a.Name, a => a.Spec, StringComparer.Ordinal), protocol, create);

    private sealed record TypeInfo(IReadOnlyDictionary<string, AttributeSpec> Attributes, ProxyProtocol? Protocol, Func<ToxicDefinition, Toxic> Create);
}
