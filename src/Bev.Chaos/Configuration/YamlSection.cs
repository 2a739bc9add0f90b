using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bev.Chaos.Configuration;

/// <summary>
/// Strict reading of one YAML mapping: every key read is remembered, and <see cref="Finish"/>
/// reports the keys nobody asked for. Problems are collected, never thrown one by one, so a
/// user sees every mistake in a file at once with its file, line and key.
/// </summary>
internal sealed class YamlSection
{
    private readonly YamlMappingNode _node;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlSection(YamlMappingNode node, string path, string file, List<ValidationError> errors, Dictionary<string, ValueSource>? sources = null)
    {
        _node = node;
        Path = path;
        File = file;
        Errors = errors;
        Sources = sources ?? new Dictionary<string, ValueSource>(StringComparer.Ordinal);
    }

    public string Path { get; }

    public string File { get; }

    public List<ValidationError> Errors { get; }

    /// <summary>Where each value read stands and how it was written, by key path, for the validator's messages.</summary>
    public Dictionary<string, ValueSource> Sources { get; }

    public string Location => Where(_node);

    public string Where(YamlNode node) => $"{File}:{node.Start.Line}";

    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public bool Has(string key) => Find(key) is not null;

    public YamlNode? Find(string key)
    {
        _read.Add(key);
        if (!_node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return null;
        }

        Sources[KeyPath(key)] = new ValueSource(Where(value), Describe(value));
        return value;
    }

    /// <summary>A section for a mapping found under <paramref name="key"/> by <see cref="Entries"/>.</summary>
    public YamlSection Child(string key, YamlMappingNode mapping) => new(mapping, KeyPath(key), File, Errors, Sources);

    public IEnumerable<(string Key, YamlNode Value)> Entries()
    {
        foreach (var (key, value) in _node.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? string.Empty;
            _read.Add(name);
            Sources[KeyPath(name)] = new ValueSource(Where(value), Describe(value));
            yield return (name, value);
        }
    }

    public void Error(string key, YamlNode? node, string? value, string allowed) =>
        Errors.Add(new ValidationError(KeyPath(key), value, allowed, node is null ? Location : Where(node)));

    public YamlSection? Section(string key)
    {
        var node = Find(key);
        switch (node)
        {
            case null:
                return null;
            case YamlMappingNode mapping:
                return new YamlSection(mapping, KeyPath(key), File, Errors, Sources);
            case YamlScalarNode { Value: null or "" or "~" or "null" }:
                return null;
            default:
                Error(key, node, Describe(node), "a mapping of keys to values");
                return null;
        }
    }

    /// <summary>
    /// The mappings listed under <paramref name="key"/>, each with its index in the path. A value that is not a
    /// list, or an item that is not a mapping, is an error — never silently skipped.
    /// </summary>
    public IReadOnlyList<YamlSection> Items(string key, string listAllowed, string itemAllowed)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(key, node, Describe(node), listAllowed);
            return [];
        }

        var items = new List<YamlSection>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlMappingNode mapping)
            {
                var path = $"{KeyPath(key)}[{i}]";
                Sources[path] = new ValueSource(Where(mapping), Describe(mapping));
                items.Add(new YamlSection(mapping, path, File, Errors, Sources));
            }
            else
            {
                Error($"{key}[{i}]", sequence.Children[i], Describe(sequence.Children[i]), itemAllowed);
            }
        }

        return items;
    }

    public string? String(string key, string? fallback = null)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value;
        }

        Error(key, node, Describe(node), "a string");
        return fallback;
    }

    public IReadOnlyList<string>? StringList(string key)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlScalarNode))
        {
            return sequence.Children.Select(c => ((YamlScalarNode)c).Value ?? string.Empty).ToList();
        }

        Error(key, node, Describe(node), "a list of strings");
        return null;
    }

    public bool Bool(string key, bool fallback)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        if (node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var value))
        {
            return value;
        }

        Error(key, node, Describe(node), "true or false");
        return fallback;
    }

    public int Int(string key, int fallback, int min, int max)
    {
        var value = Double(key, fallback, min, max, integer: true);
        return (int)value;
    }

    public int? OptionalInt(string key, int min, int max) =>
        Has(key) && !IsNull(Find(key)!) ? Int(key, min, min, max) : null;

    public double Double(string key, double fallback, double min, double max, bool integer = false)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        var allowed = integer ? $"a whole number from {Format(min)} to {Format(max)}" : $"a number from {Format(min)} to {Format(max)}";
        if (node is YamlScalarNode { Value: { } text }
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && (!integer || value == Math.Floor(value)))
        {
            if (value >= min && value <= max)
            {
                return value;
            }
        }

        Error(key, node, Describe(node), allowed);
        return fallback;
    }

    public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        if (node is YamlScalarNode { Value: { } text } && DurationText.TryParse(text, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(key, node, Describe(node), $"a duration from {DurationText.Format(min)} to {DurationText.Format(max)} (seconds, or with ms/s/m/h)");
        return fallback;
    }

    /// <summary>
    /// Reads a number as <paramref name="limit"/> says it is written (a whole number, a percentage
    /// with or without <c>%</c>); a value that cannot be read is an error naming the bounds. The
    /// bounds themselves are checked only when <paramref name="check"/> is set: otherwise the
    /// validator checks them, whatever built the configuration.
    /// </summary>
    public double Number(string key, double fallback, NumberLimit limit, bool check = false)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        if (node is YamlScalarNode { Value: { } text } && TryNumber(text, limit.Kind, out var value) && (!check || limit.Contains(value)))
        {
            return value;
        }

        Error(key, node, Describe(node), limit.Allowed);
        return fallback;
    }

    /// <summary>An optional whole number (null when absent), read as <see cref="Number"/> reads.</summary>
    public int? OptionalWhole(string key, NumberLimit limit) =>
        Find(key) is { } node && !IsNull(node) ? ToInt(Number(key, limit.Min, limit)) : null;

    /// <summary>Reads a duration as <paramref name="limit"/> says a plain number counts; bounds checked only when <paramref name="check"/> is set.</summary>
    public TimeSpan Duration(string key, TimeSpan fallback, DurationLimit limit, bool check = false)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        if (node is YamlScalarNode { Value: { } text } && limit.TryParse(text, out var value) && (!check || limit.Contains(value)))
        {
            return value;
        }

        Error(key, node, Describe(node), limit.Allowed);
        return fallback;
    }

    /// <summary>A whole number read as a double, into an int without wrapping around (the validator names the bounds).</summary>
    public static int ToInt(double value) => (int)Math.Clamp(value, int.MinValue, int.MaxValue);

    private static bool TryNumber(string text, NumberKind kind, out double value)
    {
        var t = text.Trim();
        if (kind == NumberKind.Percent && t.EndsWith('%'))
        {
            t = t[..^1].TrimEnd();
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && !double.IsNaN(value)
            && (kind != NumberKind.Whole || value == Math.Floor(value));
    }

    public T Enum<T>(string key, T fallback, IReadOnlyDictionary<string, T> names)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        if (names.TryGetValue(text, out var value))
        {
            return value;
        }

        Error(key, Find(key), text, string.Join(", ", names.Keys));
        return fallback;
    }

    /// <summary>Reports every key present that no reader asked for.</summary>
    public void Finish()
    {
        foreach (var (key, value) in _node.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? string.Empty;
            if (!_read.Contains(name))
            {
                Errors.Add(new ValidationError(KeyPath(name), Describe(value), "no such key here; known keys: " + string.Join(", ", _read.Order()), Where(key)));
            }
        }
    }

    /// <summary>
    /// A YAML syntax error as users need it: where (line and column), the line as written, and what
    /// the parser expected — YamlDotNet's message without its position prefix.
    /// </summary>
    public static ValidationError SyntaxError(YamlException ex, string yaml, string fileName)
    {
        // "(Line: 2, Col: 8, Idx: 16) - (Line: 2, Col: 8, Idx: 16): While parsing …": the position is said apart.
        var reason = Regex.Replace(ex.Message, @"^\(Line: [^)]*\)( - \(Line: [^)]*\))?:\s*", string.Empty).Trim();
        var lines = yaml.Split('\n');
        var line = ex.Start.Line >= 1 && ex.Start.Line <= lines.Length ? lines[ex.Start.Line - 1].TrimEnd('\r').Trim() : null;
        if (line is { Length: > 80 })
        {
            line = line[..77] + "...";
        }

        // An unclosed bracket or quote is found only where the text ends.
        var atEnd = ex.Start.Line > lines.Length || (string.IsNullOrEmpty(line) && lines.Skip((int)ex.Start.Line).All(string.IsNullOrWhiteSpace));
        return new ValidationError("(yaml)", atEnd ? "(end of file)" : string.IsNullOrEmpty(line) ? null : line,
            $"well-formed YAML; at line {ex.Start.Line}, column {ex.Start.Column}: {(reason.Length == 0 ? "a syntax error" : reason)}", $"{fileName}:{ex.Start.Line}");
    }

    public static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null", Style: not ScalarStyle.SingleQuoted and not ScalarStyle.DoubleQuoted };

    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Value ?? "null",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
