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

    public bool Has(string name) => _values.ContainsKey(name);

    public long GetInteger(string name) => Convert.ToInt64(_values[name], CultureInfo.InvariantCulture);

    public int GetInt32(string name) => checked((int)GetInteger(name));

    public double GetNumber(string name) => Convert.ToDouble(_values[name], CultureInfo.InvariantCulture);

    public bool GetBoolean(string name) => (bool)_values[name];

    public string GetString(string name) => (string)_values[name];

    public string? GetStringOrNull(string name) => _values.TryGetValue(name, out var v) ? (string)v : null;

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
