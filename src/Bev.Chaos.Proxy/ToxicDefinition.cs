using System.Collections.Frozen;

namespace Bev.Chaos.Proxy;

/// <summary>
/// A toxic as configured: Toxiproxy's name, type, stream, toxicity and attributes. Immutable: an
/// update makes a new definition, and links pick it up at their next chunk.
/// </summary>
public sealed record ToxicDefinition(string Name, string Type, ToxicStream Stream, double Toxicity, FrozenDictionary<string, long> Attributes)
{
    /// <summary>An attribute's value, or <paramref name="fallback"/>.</summary>
    public long Attribute(string name, long fallback = 0) => Attributes.TryGetValue(name, out var value) ? value : fallback;
}
