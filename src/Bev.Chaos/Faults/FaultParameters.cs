using System.Globalization;
using System.Text.Json;

namespace Bev.Chaos.Faults;

/// <summary>A fault's parameters after validation: typed, complete and within bounds.</summary>
public sealed class FaultParameters
{
    private readonly IReadOnlyDictionary<string, object> _values;

    internal FaultParameters(IReadOnlyDictionary<string, object> values) => _values = values;

    /// <summary>Every value, by name.</summary>
    public IReadOnlyDictionary<string, object> Values => _values;

    /// <summary>Whether the parameter has a value (an optional one left out has none).</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The value of an integer parameter; throws when it has none.</summary>
    public long GetInteger(string name) => Convert.ToInt64(_values[name], CultureInfo.InvariantCulture);

    /// <summary>The value of an integer parameter as an <c>int</c>; throws when it has none or it does not fit.</summary>
    public int GetInt32(string name) => checked((int)GetInteger(name));

    /// <summary>The value of a number parameter (or of an integer one); throws when it has none.</summary>
    public double GetNumber(string name) => Convert.ToDouble(_values[name], CultureInfo.InvariantCulture);

    /// <summary>The value of a boolean parameter; throws when it has none.</summary>
    public bool GetBoolean(string name) => (bool)_values[name];

    /// <summary>The value of a string parameter; throws when it has none.</summary>
    public string GetString(string name) => (string)_values[name];

    /// <summary>The value of a string parameter; null when it has none (an optional one left out).</summary>
    public string? GetStringOrNull(string name) => _values.TryGetValue(name, out var v) ? (string)v : null;

    /// <summary>Every value as one JSON object, by name, as the journal records it.</summary>
    public string ToJson() => JsonSerializer.Serialize(_values);

    /// <summary>Turns any user-supplied value (CLI text, JSON element, CLR value) into text for parsing.</summary>
    internal static string? ToText(object? raw) => raw switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement { ValueKind: JsonValueKind.Null } => null,
        JsonElement e => e.GetRawText(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => raw.ToString(),
    };
}
