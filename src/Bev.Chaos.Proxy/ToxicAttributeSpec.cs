namespace Bev.Chaos.Proxy;

/// <summary>How one toxic attribute is given and checked.</summary>
internal abstract record AttributeSpec;

/// <summary>A whole number within bounds; no default means "absent unless given".</summary>
internal sealed record NumberSpec(long? Default, long Min, long Max) : AttributeSpec;

/// <summary>A string that <see cref="Check"/> accepts (returning it normalized) or refuses (null).</summary>
internal sealed record TextSpec(string? Default, string Allowed, Func<string, string?> Check) : AttributeSpec;

/// <summary>A non-empty array of strings, each accepted (normalized) or refused (null) by <see cref="CheckItem"/>.</summary>
internal sealed record ListSpec(string Allowed, Func<string, string?> CheckItem) : AttributeSpec;
