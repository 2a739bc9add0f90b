using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Bev.Chaos.Reporting;
using Bev.Chaos.Resilience;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

/// <summary>
/// <c>run --report</c> as a resilience test against a real supervised HTTP server (busybox httpd)
/// with a real fault, then <c>report</c> re-rendering; the HTML opened in headless Chromium.
/// </summary>
[Collection(MeasuredCollection.Name)]
public sealed partial class ReportCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task RunWithReport_WritesJournalHtmlAndJUnit_AndReportRendersThemAgain()
    {
        Requires.Program("busybox");
        var reports = Path.Combine(_data.Path, "reports");
        var (config, scenarios) = WebServerWithPauseScenario();

        var run = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(90), "run", scenarios, "--config", config, "--report", reports, "--rate", "40", "--baseline", "3s", "--validation", "3s");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var report = Assert.Single(ReportJson.Read(Path.Combine(reports, "resilience.json")));
        Assert.Equal(ResilienceVerdict.Passed, report.Verdict);
        Assert.Equal(["preparation", "baseline", "failure", "recovery", "validation", "analysis"], report.Phases.Select(p => p.Phase));
        var failure = report.Comparisons.Single(c => c.Other == "failure");
        Assert.True(failure.Higher, $"a 1.5 s pause must show as degraded latency: {failure}; phases: {string.Join(", ", report.Phases.Select(p => $"{p.Phase} n={p.Requests} p50={p.P50Ms:F1}ms"))}");
        Assert.Contains("web_pause", run.Stdout);
        Assert.Contains("report.html", run.Stdout);

        var junit = XDocument.Load(Path.Combine(reports, "junit.xml"));
        var suite = junit.Root!.Element("testsuite")!;
        Assert.Equal("web_pause", (string)suite.Attribute("name")!);
        Assert.Equal(0, (int)suite.Attribute("failures")!);
        Assert.Contains(suite.Elements("testcase"), c => (string)c.Attribute("name")! == "availability");
        Assert.Equal("passed", suite.Element("properties")!.Elements().Single(p => (string)p.Attribute("name")! == "verdict").Attribute("value")!.Value);

        var html = Path.Combine(_data.Path, "again.html");
        var xml = Path.Combine(_data.Path, "again.xml");
        var again = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "report", Path.Combine(reports, "resilience.json"), "--html", html, "--junit", xml);
        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(reports, "report.html"), TestContext.Current.CancellationToken), await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken));
        Assert.Equal(junit.ToString(), XDocument.Load(xml).ToString());

        await AssertChartsRenderInChromiumAsync(html);
    }

    [Fact]
    public async Task Report_OnSomethingElse_ExitsTwoNamingTheJournal()
    {
        var notAJournal = Path.Combine(_data.Path, "x.json");
        await File.WriteAllTextAsync(notAJournal, "{\"hello\": [1, 2]", TestContext.Current.CancellationToken);

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "report", notAJournal, "--html", Path.Combine(_data.Path, "r.html"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("JOURNAL", result.Stderr);
        Assert.Contains("a resilience journal", result.Stderr);
        Assert.False(File.Exists(Path.Combine(_data.Path, "r.html")));
    }

    [Fact]
    public async Task Report_OnADevice_ExitsTwoAtOnceWithoutReadingIt()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "report", "/dev/zero", "--html", Path.Combine(_data.Path, "r.html"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("JOURNAL: '/dev/zero' is not allowed; allowed: a regular file", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task AssertChartsRenderInChromiumAsync(string html)
    {
        Requires.Program("chromium");
        Requires.Program("setsid");
        var dom = await ChromiumAsync("--dump-dom", new Uri(html).AbsoluteUri);
        Assert.Equal(2, ChartPattern().Matches(dom).Count);
        var points = PointsPattern().Matches(dom).Select(m => m.Groups[1].Value.Split(' ').Length).ToList();
        Assert.Equal(3, points.Count);
        Assert.All(points, n => Assert.True(n >= 8, $"a chart line with {n} points"));
        Assert.Contains("class=\"fault-window\"", dom);

        var screenshot = Path.Combine(ArtifactDirectory(), "resilience-report.png");
        File.Delete(screenshot);
        await ChromiumAsync($"--screenshot={screenshot}", "--window-size=1000,1500", new Uri(html).AbsoluteUri);
        Assert.True(new FileInfo(screenshot).Length > 20_000, "the screenshot should show the report");
    }

    private static async Task<string> ChromiumAsync(params string[] args)
    {
        // In a session of its own and with its own standard input: Chromium's helper processes
        // must not share the test process's group or stdin (the test process's run once ended
        // with exit code 0 while Chromium had run beside the demo test).
        var info = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + Path.Combine(Path.GetTempPath(), "bev-chaos-chromium-" + Environment.ProcessId) }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        using var chromium = Process.Start(info)!;
        chromium.StandardInput.Close();
        var stdout = chromium.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = chromium.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await chromium.WaitForExitAsync(timeout.Token);
        Assert.True(chromium.ExitCode == 0, $"chromium {string.Join(' ', args)} exited {chromium.ExitCode}: {await stderr}");
        return await stdout;
    }

    // test-results/ at the repository root when there is one (kept by test.sh), else beside the tests.
    private static string ArtifactDirectory()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "test.sh")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        var artifacts = Path.Combine(dir ?? AppContext.BaseDirectory, "test-results");
        Directory.CreateDirectory(artifacts);
        return artifacts;
    }

    private (string Config, string Scenarios) WebServerWithPauseScenario()
    {
        var www = Directory.CreateDirectory(Path.Combine(_data.Path, "www")).FullName;
        File.WriteAllText(Path.Combine(www, "index.html"), "ok");
        var port = LoopbackPort.Free();

        var config = Path.Combine(_data.Path, "chaos.yaml");
        File.WriteAllText(config, $"""
            safety:
              max_cpu_usage: 100
              max_memory_usage: 100
            targets:
              web:
                command: [busybox, httpd, -f, -p, "127.0.0.1:{port}", -h, "{www}"]
                restart: always
                health_url: http://127.0.0.1:{port}/index.html
            """);
        var scenarios = Path.Combine(_data.Path, "scenarios.yaml");
        File.WriteAllText(scenarios, """
            scenarios:
              - name: web_pause
                description: freeze the web server for a second and a half
                category: application
                complexity: simple
                target_services: [web]
                steps:
                  - { name: pause, action_type: inject_fault, parameters: { injector: service_pause, target: web, duration: 1500ms } }
            """);
        return (config, scenarios);
    }

    [GeneratedRegex("<svg class=\"chart\"")]
    private static partial Regex ChartPattern();

    [GeneratedRegex("<polyline class=\"series\"[^>]* points=\"([^\"]*)\"")]
    private static partial Regex PointsPattern();
}
