using System.Collections.Frozen;
using Bev.Chaos.Proxy.Toxics;

namespace Bev.Chaos.Proxy;

/// <summary>The toxic types, their attributes with defaults and bounds, and how to build one.</summary>
public static class ToxicTypes
{
    private sealed record TypeInfo(IReadOnlyDictionary<string, (long Default, long Min, long Max)> Attributes, Func<ToxicDefinition, Toxic> Create);

    private const long Big = 1L << 40;

    private static readonly FrozenDictionary<string, TypeInfo> Types = new Dictionary<string, TypeInfo>
    {
        ["latency"] = new(new Dictionary<string, (long, long, long)> { ["latency"] = (0, 0, 3_600_000), ["jitter"] = (0, 0, 3_600_000) }, d => new LatencyToxic(d)),
        ["bandwidth"] = new(new Dictionary<string, (long, long, long)> { ["rate"] = (0, 0, Big) }, d => new BandwidthToxic(d)),
        ["slow_close"] = new(new Dictionary<string, (long, long, long)> { ["delay"] = (0, 0, 3_600_000) }, d => new SlowCloseToxic(d)),
        ["timeout"] = new(new Dictionary<string, (long, long, long)> { ["timeout"] = (0, 0, 3_600_000) }, d => new TimeoutToxic(d)),
        ["reset_peer"] = new(new Dictionary<string, (long, long, long)> { ["timeout"] = (0, 0, 3_600_000) }, d => new ResetPeerToxic(d)),
        ["slicer"] = new(new Dictionary<string, (long, long, long)> { ["average_size"] = (0, 0, Big), ["size_variation"] = (0, 0, Big), ["delay"] = (0, 0, 3_600_000_000) }, d => new SlicerToxic(d)),
        ["limit_data"] = new(new Dictionary<string, (long, long, long)> { ["bytes"] = (0, 0, Big) }, d => new LimitDataToxic(d)),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every type name.</summary>
    public static IEnumerable<string> Names => Types.Keys.Order(StringComparer.Ordinal);

    /// <summary>Builds a validated definition; throws 400 naming the attribute, value and bounds.</summary>
    public static ToxicDefinition Define(string? name, string? type, string? stream, double? toxicity, IReadOnlyDictionary<string, long>? attributes, ToxicDefinition? previous = null)
    {
        type ??= previous?.Type;
        if (type is null || !Types.TryGetValue(type, out var info))
        {
            throw ProxyException.BadRequest($"invalid toxic type: '{type}' (allowed: {string.Join(", ", Names)})");
        }

        var direction = stream is null ? previous?.Stream ?? ToxicStream.Downstream
            : stream == "upstream" ? ToxicStream.Upstream
            : stream == "downstream" ? ToxicStream.Downstream
            : throw ProxyException.BadRequest($"stream was invalid, can be either upstream or downstream: '{stream}'");
        var level = toxicity ?? previous?.Toxicity ?? 1.0;
        if (!double.IsFinite(level) || level is < 0 or > 1)
        {
            throw ProxyException.BadRequest($"toxicity: {level} is out of range (allowed: 0.0 to 1.0)");
        }

        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, (fallback, _, _)) in info.Attributes)
        {
            values[key] = previous?.Attribute(key, fallback) ?? fallback;
        }

        foreach (var (key, value) in attributes ?? new Dictionary<string, long>())
        {
            if (!info.Attributes.TryGetValue(key, out var bounds))
            {
                throw ProxyException.BadRequest($"attributes.{key}: not an attribute of {type} (allowed: {string.Join(", ", info.Attributes.Keys)})");
            }

            if (value < bounds.Min || value > bounds.Max)
            {
                throw ProxyException.BadRequest($"attributes.{key}: {value} is out of range (allowed: {bounds.Min} to {bounds.Max})");
            }

            values[key] = value;
        }

        var lowered = direction == ToxicStream.Upstream ? "upstream" : "downstream";
        return new ToxicDefinition(string.IsNullOrEmpty(name) ? previous?.Name ?? $"{type}_{lowered}" : name, type, direction, level, values.ToFrozenDictionary(StringComparer.Ordinal));
    }

    internal static Toxic Create(ToxicDefinition definition, ToxicCounters? counters = null)
    {
        var toxic = Types[definition.Type].Create(definition);
        return counters is null ? toxic : toxic.WithCounters(counters);
    }
}
