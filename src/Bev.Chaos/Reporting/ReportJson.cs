using System.Text.Json;
using System.Text.Json.Serialization;
using Bev.Chaos.Resilience;

namespace Bev.Chaos.Reporting;

/// <summary>The JSON journal of a resilience test: snake_case, enums as lower-case text, schema in docs/resilience.md.</summary>
public static class ReportJson
{
    /// <summary>The one wire format, indented (<see cref="ChaosJson.Indented"/>).</summary>
    public static readonly JsonSerializerOptions Options = ChaosJson.Indented;

    /// <summary>The journal: a JSON array with one report per resilience test.</summary>
    public static string Serialize(IReadOnlyList<ResilienceReport> reports) => JsonSerializer.Serialize(reports, Options);

    /// <summary>The largest resilience journal <see cref="Read"/> takes (about 10,000 reports).</summary>
    public const int MaxJournalBytes = 64 * 1024 * 1024;

    /// <summary>Reads a journal (an array of reports, or one report).</summary>
    /// <exception cref="ChaosValidationException">The file is not a resilience journal this version can read.</exception>
    public static IReadOnlyList<ResilienceReport> Read(string path)
    {
        // Regular files only, and bounded: `report /dev/zero` is refused, not read until memory runs out.
        var text = Configuration.InputFile.ReadText(path, "JOURNAL", MaxJournalBytes);

        try
        {
            var reports = text.TrimStart().StartsWith('[')
                ? JsonSerializer.Deserialize<List<ResilienceReport>>(text, Options) ?? throw new JsonException("null")
                : [JsonSerializer.Deserialize<ResilienceReport>(text, Options) ?? throw new JsonException("null")];
            foreach (var report in reports.Where(r => r.SchemaVersion != ResilienceReport.CurrentSchemaVersion))
            {
                throw new ChaosValidationException("schema_version", report.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{ResilienceReport.CurrentSchemaVersion}");
            }

            return reports;
        }
        catch (JsonException ex)
        {
            throw new ChaosValidationException("JOURNAL", path, $"a resilience journal written by 'bev-chaos run --report' ({ex.Message})");
        }
    }
}
