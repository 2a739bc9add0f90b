using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Bev.Chaos.Proxy;

/// <summary>
/// A toxic as configured: Toxiproxy's name, type, stream, toxicity and attributes. Immutable: an
/// update makes a new definition, and links pick it up at their next chunk. Toxiproxy's own
/// attributes are whole numbers (<see cref="Attributes"/>); protocol toxics add text
/// (<see cref="Texts"/>, e.g. <c>error</c>), lists of text (<see cref="Lists"/>, e.g. <c>commands</c>)
/// and maps of text (<see cref="Maps"/>, e.g. <c>headers</c>).
/// </summary>
public sealed record ToxicDefinition(string Name, string Type, ToxicStream Stream, double Toxicity, FrozenDictionary<string, long> Attributes)
{
    /// <summary>Text attributes by name (empty for Toxiproxy's own types).</summary>
    public FrozenDictionary<string, string> Texts { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>List attributes by name (empty for Toxiproxy's own types).</summary>
    public FrozenDictionary<string, ImmutableArray<string>> Lists { get; init; } = FrozenDictionary<string, ImmutableArray<string>>.Empty;

    /// <summary>Map attributes by name, their entries in the order given (empty for Toxiproxy's own types); a null value means "remove".</summary>
    public FrozenDictionary<string, ImmutableArray<KeyValuePair<string, string?>>> Maps { get; init; } = FrozenDictionary<string, ImmutableArray<KeyValuePair<string, string?>>>.Empty;

    /// <summary>An attribute's value, or <paramref name="fallback"/>.</summary>
    public long Attribute(string name, long fallback = 0) => Attributes.TryGetValue(name, out var value) ? value : fallback;

    /// <summary>A text attribute's value, or null when it is not set.</summary>
    public string? Text(string name) => Texts.TryGetValue(name, out var value) ? value : null;

    /// <summary>A list attribute's value, or null when it is not set.</summary>
    public ImmutableArray<string>? List(string name) => Lists.TryGetValue(name, out var value) ? value : null;

    /// <summary>A map attribute's entries, or null when it is not set.</summary>
    public ImmutableArray<KeyValuePair<string, string?>>? Map(string name) => Maps.TryGetValue(name, out var value) ? value : null;
}
