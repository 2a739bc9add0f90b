using System.Text.Json;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

/// <summary>
/// The built-in <c>analyzer_api_errors</c> scenario run as a user runs it (<c>bev-chaos run</c>)
/// against the demo pipeline's collector and analyzer on ports of the test's own: the proxy answers
/// 503 to a share of the collector's triage calls, the collector retries them, and the result
/// measures both — the toxic's affected requests and the collector's retries, phase by phase.
/// </summary>
public sealed class AnalyzerApiErrorsScenarioTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Run_CountsTheAbortedCallsAndTheCollectorsRetriesForThem()
    {
        await using var queue = new InProcessQueue(0);
        var (queuePort, collectorPort, analyzerPort, proxyPort) = (queue.Port, LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        var sample = Path.Combine(AppContext.BaseDirectory, "Bev.Chaos.SampleService");
        var config = Path.Combine(_data.Path, "pipeline.yaml");
        File.WriteAllText(config, $$"""
            safety: { max_cpu_usage: 100, max_memory_usage: 100 }
            targets:
              data-collector:
                command: [{{sample}}, --port, "{{collectorPort}}", --role, collector, --queue, "127.0.0.1:{{queuePort}}", --out, collected, --rate, "20", --triage, "http://127.0.0.1:{{proxyPort}}/triage"]
                restart: always
                port: {{collectorPort}}
                health_url: http://127.0.0.1:{{collectorPort}}/health
                metrics_url: http://127.0.0.1:{{collectorPort}}/metrics
                proxy:
                  analyzer: { listen: "127.0.0.1:{{proxyPort}}", upstream: "127.0.0.1:{{analyzerPort}}", protocol: http }
              threat-analyzer:
                command: [{{sample}}, --port, "{{analyzerPort}}", --role, analyzer, --queue, "127.0.0.1:{{queuePort}}", --in, collected, --out, scored]
                restart: always
                port: {{analyzerPort}}
                health_url: http://127.0.0.1:{{analyzerPort}}/health
            """);

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(150), "run", "analyzer_api_errors", "--config", config, "--output", "json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        var experiment = JsonDocument.Parse(result.Stdout).RootElement[0];
        Assert.Equal("passed", experiment.GetProperty("verdict").GetString());
        var fault = Assert.Single(experiment.GetProperty("faults").EnumerateArray());
        var counts = fault.GetProperty("measurements");
        var (matched, affected) = (counts.GetProperty("matched").GetInt64(), counts.GetProperty("affected").GetInt64());

        // 15 s of items at 20/s, each asked once and again after each 503: ~380 calls, 30 % aborted.
        Assert.True(matched >= 150, $"matched {matched}: the collector's triage calls went through the proxy");
        var (low, high) = Binomial.Interval(matched, 0.3);
        Assert.True(affected >= low && affected <= high, $"affected {affected} of {matched}: outside the 99.9 % interval [{low}, {high}] of toxicity 0.3");

        var changes = experiment.GetProperty("metric_changes").EnumerateArray()
            .Select(c => (Probe: c.GetProperty("probe").GetString(), Phase: c.GetProperty("phase").GetString(), Change: c.GetProperty("change").GetDouble()))
            .ToList();
        double Change(string probe, string phase) => changes.Single(c => c.Probe == probe && string.Equals(c.Phase, phase, StringComparison.OrdinalIgnoreCase)).Change;
        Assert.Equal(0, Change("collector triage retries", "baseline"));
        Assert.Equal(0, Change("collector items untriaged", "baseline"));

        // Every aborted attempt is retried, but an item's third: those are the items given up on.
        // A call in flight as the fault went in or came out may land its retry in the next phase,
        // and on a busy machine a call may also time out (a retry the proxy did not cause).
        var retries = changes.Where(c => c.Probe == "collector triage retries" && c.Phase is not "baseline").Sum(c => c.Change);
        var untriaged = changes.Where(c => c.Probe == "collector items untriaged").Sum(c => c.Change);
        Assert.True(Math.Abs(retries + untriaged - affected) <= Math.Max(2, affected * 0.05), $"{retries} retries + {untriaged} items given up, for {affected} aborted calls\n{result.Stdout}");
        Assert.True(Change("collector triage retries", "injection") >= affected * 0.8, $"most retries while the fault was in: {Change("collector triage retries", "injection")} of {retries}");
    }
}
