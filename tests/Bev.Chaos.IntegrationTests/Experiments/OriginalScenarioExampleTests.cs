using System.Diagnostics;
using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Scenarios;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Experiments;

/// <summary>The original system's scenarios.yaml example, as written, runs against a catalog that has its services.</summary>
public sealed class OriginalScenarioExampleTests
{
    // ORIGINAL-EXAMPLES.md, example 10, verbatim (config/scenarios.yaml holds the same).
    private const string Example10 = """
        scenarios:
          - name: "custom_osint_test"
            description: "Custom OSINT resilience test"
            category: "integration"
            complexity: "moderate"
            target_services: ["osint-collector", "threat-analyzer"]
            steps:
              - name: "inject_network_delay"
                action_type: "inject_fault"
                parameters:
                  injector_name: "network_delay"
                  delay_ms: 200
        """;

    [Fact]
    public async Task CustomOsintTest_Runs_AndDelaysTheCollectorsTrafficBy200Ms()
    {
        using var upstream = new LoopbackHttpServer();
        using var collector = TestProcess.Sleeper();
        using var analyzer = TestProcess.Sleeper();
        var port = LoopbackPort.Free();
        var configuration = new ChaosConfiguration
        {
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["osint-collector"] = new() { Name = "osint-collector", Pid = collector.Pid, Proxies = new Dictionary<string, ProxyRoute> { ["api"] = new($"127.0.0.1:{port}", $"127.0.0.1:{upstream.Port}") } },
                ["threat-analyzer"] = new() { Name = "threat-analyzer", Pid = analyzer.Pid },
            },
        };
        using var data = new TempDirectory();
        await using var engine = await ChaosEngine.OpenAsync(configuration, data.Path, cancellationToken: TestContext.Current.CancellationToken);
        engine.StartCatalog();
        var scenario = Assert.Single(ScenarioLoader.Parse(Example10, "scenarios.yaml").Scenarios);

        // A tenth of every phase: the 30 s default fault lasts 3 s.
        var run = engine.Engineer.StartExperiment(ScenarioCompiler.Compile(scenario, 0.1), TestContext.Current.CancellationToken);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var slowest = await Poll.UntilAsync(() => TimeGet(client, $"http://127.0.0.1:{port}/health"), ms => ms >= 200, TimeSpan.FromSeconds(20), "a request through the collector's proxy takes 200 ms");
        var result = await run.Completion;

        Assert.True(result.Verdict == ExperimentVerdict.Passed, string.Join("; ", result.Reasons));
        Assert.InRange(slowest, 200, 2000);
        var fault = Assert.Single(result.Faults);
        Assert.Equal(("network_delay", "osint-collector"), (fault.InjectorName, fault.TargetService));
        Assert.Empty(engine.Proxies.Get("osint-collector.api").Toxics);
    }

    private static double TimeGet(HttpClient client, string url)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = client.GetAsync(url, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return response.IsSuccessStatusCode ? Stopwatch.GetElapsedTime(started).TotalMilliseconds : 0;
    }
}
