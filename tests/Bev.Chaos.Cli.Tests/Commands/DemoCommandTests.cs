using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

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

        // Part two: the basic_resilience suite, with a JSON result per scenario.
        Assert.Contains("basic_resilience suite against data-collector", result.Stdout);
        var reports = Assert.Single(Directory.GetDirectories(Path.Combine(_data.Path, "reports")));
        var verdicts = Directory.GetFiles(reports, "experiment-*.json")
            .Select(f => System.Text.Json.JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("verdict").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["cpu_stress"] = "passed", ["network_latency_light"] = "passed", ["service_crash"] = "passed" }, verdicts);
        Assert.Empty(Directory.GetFiles(_data.Path, "bev-chaos-fill-*"));
        await Poll.UntilAsync(() => !ProcFs.EnumeratePids().Any(pid => ProcFs.TryReadExecutableName(pid) is "Bev.Chaos.SampleService" or "Bev.Chaos.Helper"), TimeSpan.FromSeconds(5), "no demo service or helper left");
    }
}
