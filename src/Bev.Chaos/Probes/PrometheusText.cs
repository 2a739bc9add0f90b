using System.Globalization;
using System.Text;

namespace Bev.Chaos.Probes;

/// <summary>
/// Reads the Prometheus text exposition format (version 0.0.4) and evaluates a selector —
/// <c>name</c> or <c>name{label="value",…}</c> — against it: the sum of every matching sample.
/// </summary>
public static class PrometheusText
{
    /// <summary>One sample line of an exposition (its timestamp, if any, is dropped).</summary>
    /// <param name="Name">The metric name, e.g. <c>http_requests_total</c>.</param>
    /// <param name="Labels">Its labels, values unescaped; empty when the line has none.</param>
    /// <param name="Value">The sample's value, which may be <c>+Inf</c>, <c>-Inf</c> or <c>NaN</c>.</param>
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>The samples of an exposition; lines that are not samples (comments, blanks) are skipped.</summary>
    /// <exception cref="FormatException">A sample line that does not parse.</exception>
    public static IEnumerable<Sample> Parse(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var (name, labels, rest) = SplitSeries(line);
            var value = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
                ?? throw new FormatException($"no value in '{line}'");
            yield return new Sample(name, labels, ParseValue(value, line));
        }
    }

    /// <summary>Parses a selector into the metric name and the labels it requires.</summary>
    /// <exception cref="FormatException">Not <c>name</c> or <c>name{label="value",…}</c>.</exception>
    public static (string Name, IReadOnlyDictionary<string, string> Labels) ParseSelector(string selector)
    {
        var (name, labels, rest) = SplitSeries(selector.Trim());
        return rest.Length == 0 && name.Length > 0 ? (name, labels) : throw new FormatException($"'{selector}' is not name or name{{label=\"value\",…}}");
    }

    /// <summary>The sum of the samples matching <paramref name="selector"/>, or null when none match.</summary>
    public static double? Evaluate(string exposition, string selector)
    {
        var (name, required) = ParseSelector(selector);
        var matching = Parse(exposition).Where(s => s.Name == name && required.All(r => s.Labels.TryGetValue(r.Key, out var v) && v == r.Value)).ToList();
        return matching.Count == 0 ? null : matching.Sum(s => s.Value);
    }

    private static (string Name, Dictionary<string, string> Labels, string Remainder) SplitSeries(string line)
    {
        var nameEnd = 0;
        while (nameEnd < line.Length && (char.IsLetterOrDigit(line[nameEnd]) || line[nameEnd] is '_' or ':'))
        {
            nameEnd++;
        }

        var name = line[..nameEnd];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = nameEnd;
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                while (i < line.Length && line[i] is ' ' or ',')
                {
                    i++;
                }

                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }

                var eq = line.IndexOf('=', i);
                if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"')
                {
                    throw new FormatException($"bad labels in '{line}'");
                }

                var key = line[i..eq].Trim();
                var value = new StringBuilder();
                i = eq + 2;
                for (; i < line.Length && line[i] != '"'; i++)
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                }

                if (i >= line.Length)
                {
                    throw new FormatException($"unterminated label value in '{line}'");
                }

                labels[key] = value.ToString();
                i++;
            }
        }

        return (name, labels, line[i..].Trim());
    }

    private static double ParseValue(string text, string line) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"bad value '{text}' in '{line}'"),
    };
}
