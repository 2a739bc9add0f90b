using System.Globalization;

namespace Bev.Chaos.Faults;

/// <summary>
/// One parameter of an injector: its type, default and bounds. <see cref="CapKey"/> names the
/// <c>fault_injectors.&lt;name&gt;</c> key that can lower <see cref="Max"/> in configuration.
/// </summary>
public sealed record FaultParameter(string Name, FaultParameterType Type, string Description)
{
    /// <summary>The value when neither profile nor request gives one; null means required.</summary>
    public object? Default { get; init; }

    /// <summary>Inclusive lower bound for numbers.</summary>
    public double? Min { get; init; }

    /// <summary>Inclusive upper bound for numbers.</summary>
    public double? Max { get; init; }

    /// <summary>The configuration cap that lowers <see cref="Max"/> (e.g. <c>max_cpu_load</c>).</summary>
    public string? CapKey { get; init; }

    /// <summary>For strings: the only values accepted.</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }

    /// <summary>May be left out entirely (no default and not required).</summary>
    public bool Optional { get; init; }

    /// <summary>
    /// A whole-number parameter from <paramref name="min"/> to <paramref name="max"/>; no
    /// <paramref name="default"/> means required.
    /// </summary>
    public static FaultParameter Integer(string name, string description, long? @default, long min, long max, string? capKey = null) =>
        new(name, FaultParameterType.Integer, description) { Default = @default, Min = min, Max = max, CapKey = capKey };

    /// <summary>
    /// A number parameter (fractions allowed) from <paramref name="min"/> to <paramref name="max"/>; no
    /// <paramref name="default"/> means required.
    /// </summary>
    public static FaultParameter Number(string name, string description, double? @default, double min, double max, string? capKey = null) =>
        new(name, FaultParameterType.Number, description) { Default = @default, Min = min, Max = max, CapKey = capKey };

    /// <summary>A true-or-false parameter.</summary>
    public static FaultParameter Boolean(string name, string description, bool @default) =>
        new(name, FaultParameterType.Boolean, description) { Default = @default };

    /// <summary>
    /// A string parameter: when <paramref name="allowed"/> lists values, only those are accepted. No
    /// <paramref name="default"/> means required.
    /// </summary>
    public static FaultParameter Text(string name, string description, string? @default, params string[] allowed) =>
        new(name, FaultParameterType.String, description) { Default = @default, AllowedValues = allowed.Length == 0 ? null : allowed };

    /// <summary>Describes what is allowed, given an effective maximum.</summary>
    public string DescribeAllowed(double? effectiveMax, string? capSource) => Type switch
    {
        FaultParameterType.Integer => $"a whole number from {F(Min)} to {F(effectiveMax ?? Max)}{Cap(capSource)}",
        FaultParameterType.Number => $"a number from {F(Min)} to {F(effectiveMax ?? Max)}{Cap(capSource)}",
        FaultParameterType.Boolean => "true or false",
        _ => AllowedValues is null ? "a string" : "one of " + string.Join(", ", AllowedValues),
    };

    private static string Cap(string? source) => source is null ? string.Empty : $" (capped by {source})";

    private static string F(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";
}
