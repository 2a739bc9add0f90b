using System.Text.RegularExpressions;
using Bev.Chaos.Configuration;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Scenarios;

/// <summary>
/// Reads one <c>steady_state</c> probe from YAML. Each type takes only its own keys, so a key meant
/// for another type (a <c>url</c> on a tcp probe) is an error naming the keys allowed.
/// </summary>
internal static class ProbeReader
{
    private static readonly Dictionary<string, ProbeMode> Modes = new(StringComparer.Ordinal)
    {
        ["continuous"] = ProbeMode.Continuous,
        ["start"] = ProbeMode.Start,
        ["end"] = ProbeMode.End,
        ["during_fault"] = ProbeMode.DuringFault,
    };

    private static readonly Dictionary<string, ProbeComparison> Operators = new(StringComparer.Ordinal)
    {
        ["<"] = ProbeComparison.LessThan,
        ["<="] = ProbeComparison.LessOrEqual,
        [">"] = ProbeComparison.GreaterThan,
        [">="] = ProbeComparison.GreaterOrEqual,
        ["=="] = ProbeComparison.Equal,
        ["!="] = ProbeComparison.NotEqual,
    };

    public static ProbeDefinition? Read(YamlSection p, int index)
    {
        var name = p.String("name") ?? $"probe{index + 1}";
        var type = p.String("type") ?? "http";
        var mode = p.Enum("mode", ProbeMode.Continuous, Modes);
        var timeout = p.Duration("timeout", TimeSpan.FromSeconds(2), Configuration.ConfigurationLimits.ProbeTimeout.Min, Configuration.ConfigurationLimits.ProbeTimeout.Max);
        var probe = type switch
        {
            "http" => Http(p, name),
            "tcp" => new ProbeDefinition { Name = name, Kind = ProbeKind.Tcp, Host = p.String("host") ?? "127.0.0.1", Port = p.Int("port", 0, 1, 65535) },
            "process" => new ProbeDefinition { Name = name, Kind = ProbeKind.Process, Target = p.String("target") },
            "command" => Command(p, name),
            "prometheus" => Prometheus(p, name),
            _ => null,
        };
        if (probe is null && type is not ("http" or "command" or "prometheus"))
        {
            p.Error("type", p.Find("type"), type, "http, tcp, process, command or prometheus");
        }

        p.Finish();
        return probe is null ? null : probe with { Mode = mode, Timeout = timeout };
    }

    private static ProbeDefinition? Http(YamlSection p, string name)
    {
        var (target, url) = TargetOrUrl(p, "health_url");
        var (low, high) = StatusRange(p);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (p.Section("headers") is { } section)
        {
            foreach (var (key, value) in section.Entries())
            {
                headers[key] = value is YamlDotNet.RepresentationModel.YamlScalarNode scalar ? scalar.Value ?? string.Empty : string.Empty;
            }
        }

        var method = p.String("method") ?? "GET";
        if (!Regex.IsMatch(method, "^[A-Z]+$"))
        {
            p.Error("method", p.Find("method"), method, "an HTTP method in capitals (GET, HEAD, POST, …)");
        }

        var jsonPath = p.String("json_path");
        var jsonExpected = p.String("json_expected");
        if ((jsonPath is null) != (jsonExpected is null))
        {
            p.Error(jsonPath is null ? "json_expected" : "json_path", null, jsonPath ?? jsonExpected, "json_path and json_expected together");
        }

        return url is null && target is null ? null : new ProbeDefinition
        {
            Name = name,
            Kind = ProbeKind.Http,
            Url = url,
            Target = target,
            Method = method,
            Headers = headers,
            ExpectedStatusMin = low,
            ExpectedStatusMax = high,
            BodyContains = p.String("body_contains"),
            BodyRegex = Pattern(p, "body_regex"),
            JsonPath = jsonPath,
            JsonExpected = jsonExpected,
        };
    }

    private static ProbeDefinition? Command(YamlSection p, string name)
    {
        var command = p.StringList("command");
        if (command is null || command.Count == 0)
        {
            p.Error("command", p.Find("command"), null, "a non-empty list: the program and its arguments (no shell)");
        }

        var expected = p.Int("expected_exit", 0, 0, 255);
        var stdout = Pattern(p, "stdout_regex");
        return command is null || command.Count == 0 ? null : new ProbeDefinition { Name = name, Kind = ProbeKind.Command, Command = command, ExpectedExitCode = expected, StdoutRegex = stdout };
    }

    private static ProbeDefinition? Prometheus(YamlSection p, string name)
    {
        var (target, url) = TargetOrUrl(p, "metrics_url");
        var metric = p.String("metric");
        try
        {
            PrometheusText.ParseSelector(metric ?? string.Empty);
        }
        catch (FormatException)
        {
            p.Error("metric", p.Find("metric"), metric, "a metric selector: name or name{label=\"value\",…}");
            metric = null;
        }

        // Neither op nor threshold: the metric is measured, not judged.
        var measureOnly = !p.Has("op") && !p.Has("threshold");
        var comparison = p.Enum("op", ProbeComparison.LessOrEqual, Operators);
        if (!measureOnly && !p.Has("threshold"))
        {
            p.Error("threshold", null, null, "a number to compare the metric with (or neither op nor threshold, to only measure the metric)");
        }

        var threshold = p.Double("threshold", 0, double.MinValue, double.MaxValue);
        return (url is null && target is null) || metric is null ? null : new ProbeDefinition
        {
            Name = name,
            Kind = ProbeKind.Prometheus,
            Url = url,
            Target = target,
            Metric = metric,
            Comparison = comparison,
            Threshold = threshold,
            MeasureOnly = measureOnly,
        };
    }

    // A probe may name a target instead of a URL: that target's catalog URL (health_url or
    // metrics_url), looked up at run time.
    private static (string? Target, Uri? Url) TargetOrUrl(YamlSection p, string catalogKey)
    {
        var target = p.String("target");
        if (target is not null && p.Has("url"))
        {
            p.Error("target", p.Find("target"), target, $"url or target, not both (target means the target's catalog {catalogKey})");
        }

        return (target, target is null ? Url(p) : null);
    }

    private static Uri? Url(YamlSection p)
    {
        var text = p.String("url");
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return url;
        }

        p.Error("url", p.Find("url"), text, "an absolute http:// URL");
        return null;
    }

    // expected_status: 200, or a range "200-299".
    private static (int Low, int High) StatusRange(YamlSection p)
    {
        var text = p.String("expected_status");
        if (text is null)
        {
            return (200, 399);
        }

        var parts = text.Split('-', 2);
        if (int.TryParse(parts[0], out var low) && low is >= 100 and <= 599)
        {
            if (parts.Length == 1)
            {
                return (low, low);
            }

            if (int.TryParse(parts[1], out var high) && high >= low && high <= 599)
            {
                return (low, high);
            }
        }

        p.Error("expected_status", p.Find("expected_status"), text, "a status code (200) or a range (200-299) within 100-599");
        return (200, 399);
    }

    private static Regex? Pattern(YamlSection p, string key)
    {
        var text = p.String(key);
        if (text is null)
        {
            return null;
        }

        try
        {
            return new Regex(text, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            p.Error(key, p.Find(key), text, "a valid regular expression (" + ex.Message + ")");
            return null;
        }
    }
}
