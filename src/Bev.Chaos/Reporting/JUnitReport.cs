using System.Globalization;
using System.Xml.Linq;
using Bev.Chaos.Resilience;

namespace Bev.Chaos.Reporting;

/// <summary>
/// JUnit XML so CI can gate on chaos results: one &lt;testsuite&gt; per resilience test, one
/// &lt;testcase&gt; per validation check (a failed check is a &lt;failure&gt;; a test that could not run is an &lt;error&gt;).
/// </summary>
public static class JUnitReport
{
    /// <summary>The XML document for <paramref name="reports"/>: one &lt;testsuite&gt; each, in one &lt;testsuites&gt;.</summary>
    public static string Render(IReadOnlyList<ResilienceReport> reports)
    {
        var suites = reports.Select(Suite).ToList();
        var root = new XElement("testsuites",
            new XAttribute("name", "bev-chaos"),
            new XAttribute("tests", suites.Sum(s => (int)s.Attribute("tests")!)),
            new XAttribute("failures", suites.Sum(s => (int)s.Attribute("failures")!)),
            new XAttribute("errors", suites.Sum(s => (int)s.Attribute("errors")!)),
            suites);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).ToString();
    }

    private static XElement Suite(ResilienceReport report)
    {
        var time = (report.Ended - report.Started).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var cases = report.Verdict == ResilienceVerdict.Error
            ? [new XElement("testcase", new XAttribute("classname", report.Name), new XAttribute("name", "preparation"), new XAttribute("time", time),
                new XElement("error", new XAttribute("message", "the resilience test could not run"), string.Join("\n", report.Reasons)))]
            : report.Checks.Select(c => new XElement("testcase", new XAttribute("classname", report.Name), new XAttribute("name", c.Name), new XAttribute("time", "0"),
                c.Passed ? new XElement("system-out", c.Detail) : new XElement("failure", new XAttribute("message", c.Detail), c.Detail))).ToList();
        return new XElement("testsuite",
            new XAttribute("name", report.Name),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", cases.Count(c => c.Element("failure") is not null)),
            new XAttribute("errors", cases.Count(c => c.Element("error") is not null)),
            new XAttribute("time", time),
            new XAttribute("timestamp", report.Started.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            new XElement("properties",
                new XElement("property", new XAttribute("name", "verdict"), new XAttribute("value", report.Verdict.ToString().ToLowerInvariant())),
                new XElement("property", new XAttribute("name", "score"), new XAttribute("value", report.Score?.Value.ToString(CultureInfo.InvariantCulture) ?? "")),
                new XElement("property", new XAttribute("name", "load_url"), new XAttribute("value", report.LoadUrl))),
            cases);
    }
}
