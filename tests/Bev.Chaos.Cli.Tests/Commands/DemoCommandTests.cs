using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

[Collection(MeasuredCollection.Name)]
public sealed class DemoCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Demo_QuickExit_RunsEveryFaultAndLeavesNothingBehind()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromMinutes(3), "demo", "--quick", "--exit");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        foreach (var injector in new[] { "service_pause", "cpu_stress", "memory_leak", "disk_fill", "connection_exhaustion", "service_crash" })
        {
            Assert.Contains($"▶ {injector}", result.Stdout);
        }

        Assert.Contains("state T", result.Stdout);
        Assert.Contains("restarted as pid", result.Stdout);
        Assert.Contains("demo summary", result.Stdout);

        // Part two: the basic_resilience suite as resilience tests, with the three reports.
        Assert.Contains("dashboard: http://127.0.0.1:", result.Stdout);
        Assert.Contains("basic_resilience suite against data-collector", result.Stdout);
        var reports = Assert.Single(Directory.GetDirectories(Path.Combine(_data.Path, "reports")));
        var journal = Bev.Chaos.Reporting.ReportJson.Read(Path.Combine(reports, "resilience.json"));
        Assert.Equal(["network_latency_light", "service_crash", "cpu_stress"], journal.Select(r => r.Name));
        Assert.All(journal, r => Assert.NotEqual(Bev.Chaos.Resilience.ResilienceVerdict.Error, r.Verdict));
        Assert.True(journal[0].Comparisons.Single(c => c.Other == "failure").Higher, "100 ms on the proxied queue must read as degraded");
        Assert.NotEmpty(journal[1].Outages);
        var junit = System.Xml.Linq.XDocument.Load(Path.Combine(reports, "junit.xml"));
        Assert.Equal(3, junit.Root!.Elements("testsuite").Count());
        var html = File.ReadAllText(Path.Combine(reports, "report.html"));
        Assert.All(journal, r => Assert.Contains($"{r.Name} — <span class=\"{r.Verdict.ToString().ToLowerInvariant()}\">", html));
        Assert.Matches(@"pipeline: osint-processor has stored [1-9]\d* items", result.Stdout);

        // Nothing left behind: no process, file, nftables rule or cgroup of ours.
        Assert.Empty(Directory.GetFiles(_data.Path, "bev-chaos-fill-*"));
        await Poll.UntilAsync(() => !ProcFs.EnumeratePids().Any(pid => ProcFs.TryReadExecutableName(pid) is "Bev.Chaos.SampleService" or "Bev.Chaos.Helper" or "redis-server"), TimeSpan.FromSeconds(5), "no demo service, helper or queue left");
        if (Requires.IsRoot)
        {
            var leftCgroups = Directory.Exists("/sys/fs/cgroup") ? Directory.EnumerateDirectories("/sys/fs/cgroup", "bev-chaos-*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).ToList() : [];
            Assert.Empty(leftCgroups);
            if (File.Exists("/usr/sbin/nft"))
            {
                using var ruleset = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/sbin/nft", "list ruleset") { RedirectStandardOutput = true, RedirectStandardInput = true })!;
                ruleset.StandardInput.Close();
                Assert.DoesNotContain("bev-chaos", await ruleset.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken));
                await ruleset.WaitForExitAsync(TestContext.Current.CancellationToken);
            }
        }
    }
}
