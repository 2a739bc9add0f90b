using System.Diagnostics;
using System.Globalization;
using Bev.Chaos.Deploy.Tests.Packages;

namespace Bev.Chaos.Deploy.Tests.Samples;

/// <summary>
/// The C# versions of the original system's examples (samples/examples), built against the packed
/// packages and run as a user runs them; each test measures the sample's effect on its targets
/// itself — CPU burnt by the helper, bytes held back by the proxy, a process killed and restarted —
/// and checks that the sample left no target process behind.
/// </summary>
public sealed class SampleTests(PackageFeed feed)
{
    private static readonly TimeSpan SampleTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ScenarioLibrary_Example4_PrintsTheScenarioTheNetworkCategoryAndTheSuite()
    {
        var root = await SampleBuild.EnsureAsync(feed);
        await using var sample = new RunningSample(SampleBuild.Program(root, "ScenarioLibrary"));
        Assert.True(await sample.WaitForExitAsync(SampleTimeout) == 0, sample.Output);
        Assert.StartsWith("scenario network_latency_light: 100 ms", sample.Line("scenario ") ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal("network scenarios: network_latency_heavy, network_latency_light, network_latency_medium, network_partition", sample.Line("network scenarios: "));
        Assert.Equal("suite basic_resilience: network_latency_light, service_crash, cpu_stress", sample.Line("suite basic_resilience: "));
    }

    [Fact]
    public async Task FaultInjection_Example2_NetworkDelayHoldsBackWebServersCallsUntilRemoved()
    {
        var root = await SampleBuild.EnsureAsync(feed);
        var ports = SampleBuild.UseFreePorts(root, "FaultInjection");
        await using var sample = new RunningSample(SampleBuild.Program(root, "FaultInjection"));
        try
        {
            await sample.WaitForLineAsync("injected network_delay-", SampleTimeout);
            var direct = await MedianMsAsync(ports[18092]);
            var proxied = await MedianMsAsync(ports[18093]);
            // network_delay_light with delay_ms 100, jitter_ms 20: at least 80 ms on every answer.
            Assert.True(proxied >= direct + 60, $"through web-server's proxied dependency {proxied:0.0} ms, api-server directly {direct:0.0} ms: less than the 80 ms delay shows; {sample.Output}");

            sample.CloseInput();
            await sample.WaitForLineAsync("removed network_delay-", TimeSpan.FromSeconds(30));
            Assert.Equal(0, await sample.WaitForExitAsync(SampleTimeout));
            Assert.Contains("with the fault", sample.Output, StringComparison.Ordinal);
        }
        finally
        {
            await AssertNoTargetLeftAsync(sample, ports);
        }
    }

    [Fact]
    public async Task BasicExperiment_Example1_CpuStressBurnsCpuInTheHelperAndTheExperimentPasses()
    {
        var root = await SampleBuild.EnsureAsync(feed);
        var ports = SampleBuild.UseFreePorts(root, "BasicExperiment");
        await using var sample = new RunningSample(SampleBuild.Program(root, "BasicExperiment"));
        try
        {
            // The injection phase follows a 5 s baseline; the cpu_stress helper is the sample's child
            // (a warm standby taken for the job, or a new one). 1.5 s of CPU over the 10 s fault is
            // far below what cpu_stress_medium burns and far above a helper's start-up.
            var seen = new Dictionary<int, (long First, long Last)>();
            long Burnt()
            {
                foreach (var pid in ProcessesUnder(sample.Pid, "Bev.Chaos.Helper"))
                {
                    var ticks = ProcStat.CpuTicks(pid);
                    seen[pid] = seen.TryGetValue(pid, out var was) ? (was.First, Math.Max(was.Last, ticks)) : (ticks, ticks);
                }

                // A helper that has ended keeps the last figure read from it.
                return seen.Values.Sum(t => t.Last - t.First);
            }

            var burnt = await Poll.UntilAsync(Burnt, ticks => ticks >= 150 || sample.Line("experiment ") is not null, TimeSpan.FromSeconds(60), "1.5 s of CPU burnt by the experiment's cpu_stress helper");
            Assert.True(burnt >= 150, $"the helpers burnt {burnt} ticks before the experiment ended: {sample.Output}");
            Assert.Equal(0, await sample.WaitForExitAsync(SampleTimeout));
            Assert.StartsWith("experiment web_service_resilience: Passed", sample.Line("experiment ") ?? sample.Output, StringComparison.Ordinal);
            Assert.Contains("cpu_stress on web-server", sample.Output, StringComparison.Ordinal);
            Assert.Contains("network_delay on web-server", sample.Output, StringComparison.Ordinal);
        }
        finally
        {
            await AssertNoTargetLeftAsync(sample, ports);
        }
    }

    [Fact]
    public async Task ResilienceTest_Example3_ServiceCrashKillsDataCollectorWhichIsRestartedAndReported()
    {
        var root = await SampleBuild.EnsureAsync(feed);
        var ports = SampleBuild.UseFreePorts(root, "ResilienceTest");
        await using var sample = new RunningSample(SampleBuild.Program(root, "ResilienceTest"));
        try
        {
            var collector = $"--port {ports[18094]}";
            var seen = new HashSet<int>();
            await Poll.UntilAsync(
                () =>
                {
                    seen.UnionWith(ProcessesUnder(sample.Pid, collector));
                    return seen.Count;
                },
                count => count >= 2 || sample.Line("resilience test ") is not null,
                TimeSpan.FromSeconds(90),
                "data-collector killed by service_crash and started again (a second pid)");
            Assert.True(seen.Count >= 2, $"data-collector pids seen: {string.Join(", ", seen)}; {sample.Output}");

            Assert.Equal(0, await sample.WaitForExitAsync(SampleTimeout));
            Assert.StartsWith($"resilience test osint_pipeline_resilience: ", sample.Line("resilience test ") ?? sample.Output, StringComparison.Ordinal);
            Assert.Contains($"load http://127.0.0.1:{ports[18094]}/health at 50 req/s", sample.Output, StringComparison.Ordinal);
            Assert.NotNull(sample.Line("  scenario service_crash: "));
            Assert.NotNull(sample.Line("  failure: "));
        }
        finally
        {
            await AssertNoTargetLeftAsync(sample, ports);
        }
    }

    [Fact]
    public async Task QuickStart_Example7_NetworkLatencyLightDelaysThreatAnalyzersCallsAndCompletes()
    {
        var root = await SampleBuild.EnsureAsync(feed);
        var ports = SampleBuild.UseFreePorts(root, "QuickStart");
        await using var sample = new RunningSample(SampleBuild.Program(root, "QuickStart"));
        try
        {
            var direct = 0.0;
            var proxied = 0.0;
            await Poll.UntilAsync(
                async () =>
                {
                    if (sample.Line("Basic chaos test completed!") is not null)
                    {
                        return true;
                    }

                    direct = await MedianMsAsync(ports[18094], attempts: 3);
                    proxied = await MedianMsAsync(ports[18096], attempts: 3);
                    return proxied >= direct + 60;
                },
                TimeSpan.FromSeconds(90),
                "threat-analyzer's calls to data-collector delayed by the scenario's network_delay_light (80 ms at least)");
            Assert.True(proxied >= direct + 60, $"the delay was never seen before the sample ended (through the proxy {proxied:0.0} ms, directly {direct:0.0} ms): {sample.Output}");

            Assert.Equal(0, await sample.WaitForExitAsync(SampleTimeout));
            Assert.Equal("network_latency_light on threat-analyzer: Passed", sample.Line("network_latency_light on "));
            Assert.NotNull(sample.Line("Basic chaos test completed!"));
        }
        finally
        {
            await AssertNoTargetLeftAsync(sample, ports);
        }
    }

    // The median of a few sequential GET /health answers on a loopback port (one connection, kept alive).
    private static async Task<double> MedianMsAsync(int port, int attempts = 5)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var times = new List<double>();
        for (var i = 0; i < attempts; i++)
        {
            var took = Stopwatch.StartNew();
            try
            {
                using var response = await http.GetAsync("/health", TestContext.Current.CancellationToken);
                response.EnsureSuccessStatusCode();
            }
            catch (HttpRequestException)
            {
                // A target restarting or not up yet: no figure from this attempt.
                continue;
            }

            times.Add(took.Elapsed.TotalMilliseconds);
        }

        return times.Count == 0 ? 0 : times.Order().ElementAt(times.Count / 2);
    }

    private static List<int> ProcessesUnder(int ancestor, string commandLinePart) =>
        [.. ProcStat.All().Where(pid => ProcStat.CommandLine(pid).Contains(commandLinePart, StringComparison.Ordinal) && ToolTests.IsDescendant(pid, ancestor))];

    // The engine's disposal stops the catalog's services: none of this sample's ports may still be served by a SampleTarget.
    private static async Task AssertNoTargetLeftAsync(RunningSample sample, Dictionary<int, int> ports)
    {
        await sample.DisposeAsync();
        var left = ProcStat.All().Where(pid => ProcStat.CommandLine(pid) is var line && line.Contains("SampleTarget", StringComparison.Ordinal)
            && ports.Values.Any(p => line.Contains("--port " + p.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))).ToList();
        foreach (var pid in left)
        {
            Process.GetProcessById(pid).Kill();
        }

        Assert.True(left.Count == 0, $"SampleTarget processes left behind: {string.Join(", ", left)}");
    }
}
