namespace Bev.Chaos.Proxy;

/// <summary>How one toxic attribute is given and checked.</summary>
internal abstract record AttributeSpec;

/// <summary>A whole number within bounds; no default means "absent unless given".</summary>
internal sealed record NumberSpec(long? Default, long Min, long Max) : AttributeSpec;

/// <summary>A string that <see cref="Check"/> accepts (returning it normalized) or refuses (null).</summary>
internal sealed record TextSpec(string? Default, string Allowed, Func<string, string?> Check) : AttributeSpec
{
    /// <summary>A .NET regular expression of 1 to <paramref name="maxLength"/> characters that compiles (with <paramref name="matchTimeout"/>).</summary>
    public static TextSpec Regex(string allowed, int maxLength, TimeSpan matchTimeout) => new(null, allowed, pattern =>
    {
        if (pattern.Length is 0 || pattern.Length > maxLength)
        {
            return null;
        }

        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeout);
            return pattern;
        }
        catch (ArgumentException)
        {
            return null;
        }
    });
}

/// <summary>A non-empty array of strings, each accepted (normalized) or refused (null) by <see cref="CheckItem"/>.</summary>
internal sealed record ListSpec(string Allowed, Func<string, string?> CheckItem) : AttributeSpec;

/// <summary>A JSON object of string values, each entry accepted (normalized) or refused (null) by <see cref="CheckEntry"/>.</summary>
/// With <see cref="AllowNull"/>, a null value is kept (it means "remove").
internal sealed record MapSpec(string Allowed, Func<string, string, KeyValuePair<string, string?>?> CheckEntry) : AttributeSpec
{
    public bool AllowNull { get; init; }
}

/// <summary>A JSON value (or text holding one) that <see cref="Check"/> accepts, kept as its JSON text.</summary>
internal sealed record JsonSpec(string Allowed, Func<string, string?> Check) : AttributeSpec;

/// <summary>A yes or no, given as true/false or 1/0 and kept as the number 1 or 0.</summary>
internal sealed record FlagSpec : AttributeSpec;
