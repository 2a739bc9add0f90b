using System.Globalization;
using System.Text.Json;

namespace Bev.Chaos.Safety;

/// <summary>
/// Reads the external health monitor (<c>integration.health_monitor_url</c>): a JSON object or
/// Prometheus text exposition with the values <c>cpu_usage</c>, <c>memory_usage</c> (percent),
/// <c>error_rate</c> (0–1) and <c>response_time_ms</c>; any it reports are checked against the
/// same thresholds as the local measurements. An unreachable monitor is reported, not guessed at.
/// </summary>
public sealed class HealthMonitorClient(Uri url, HttpClient http)
{
    /// <summary>The values read: JSON properties or Prometheus metrics of these names; anything else is ignored.</summary>
    public static readonly string[] Names = ["cpu_usage", "memory_usage", "error_rate", "response_time_ms"];

    /// <summary>The values the monitor reports, by name; throws <see cref="HttpRequestException"/> when it cannot be read.</summary>
    public async Task<IReadOnlyDictionary<string, double>> ReadAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return text.TrimStart().StartsWith('{') ? FromJson(text) : FromPrometheus(text);
    }

    internal static Dictionary<string, double> FromJson(string text)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(text);
        foreach (var name in Names)
        {
            if (document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number)
            {
                values[name] = value.GetDouble();
            }
        }

        return values;
    }

    internal static Dictionary<string, double> FromPrometheus(string text)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2)
            {
                continue;
            }

            var name = parts[0].Split('{')[0];
            if (Names.Contains(name) && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                // Several series (labels): the worst one counts.
                values[name] = values.TryGetValue(name, out var seen) ? Math.Max(seen, value) : value;
            }
        }

        return values;
    }
}
