using Bev.Chaos.Resilience;

namespace Bev.Chaos.Reporting;

/// <summary>The three report files of a run, side by side in one directory.</summary>
public sealed record ReportFiles(string Journal, string Html, string JUnit)
{
    /// <summary>Writes <c>resilience.json</c>, <c>report.html</c> and <c>junit.xml</c> into <paramref name="directory"/>.</summary>
    public static ReportFiles Write(string directory, IReadOnlyList<ResilienceReport> reports)
    {
        Directory.CreateDirectory(directory);
        var files = new ReportFiles(Path.Combine(directory, "resilience.json"), Path.Combine(directory, "report.html"), Path.Combine(directory, "junit.xml"));
        File.WriteAllText(files.Journal, ReportJson.Serialize(reports));
        File.WriteAllText(files.Html, HtmlReport.Render(reports));
        File.WriteAllText(files.JUnit, JUnitReport.Render(reports));
        return files;
    }
}
