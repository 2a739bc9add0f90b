using System.Text.RegularExpressions;
using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Experiments;

/// <summary>Command and Prometheus probes against real processes and a real service, and probe modes in real experiments.</summary>
public sealed class ProbeKindsTests : IAsyncLifetime
{
    private ExperimentFixture _f = null!;

    public async ValueTask InitializeAsync()
    {
        _f = new ExperimentFixture();
        await _f.WaitHealthyAsync();
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task CommandProbe_ChecksExitCodeAndStdout_AndKillsACommandThatHangs()
    {
        var ok = await RunAsync(new ProbeDefinition { Name = "c", Kind = ProbeKind.Command, Command = ["/bin/sh", "-c", "echo queue depth 3"], StdoutRegex = new Regex(@"depth [0-4]\b") });
        var wrongOutput = await RunAsync(new ProbeDefinition { Name = "c", Kind = ProbeKind.Command, Command = ["/bin/sh", "-c", "echo queue depth 9"], StdoutRegex = new Regex(@"depth [0-4]\b") });
        var wrongExit = await RunAsync(new ProbeDefinition { Name = "c", Kind = ProbeKind.Command, Command = ["/bin/sh", "-c", "exit 3"] });
        var marker = Path.Combine(Path.GetTempPath(), "bev-chaos-probe-" + Guid.NewGuid().ToString("N"));
        var hangs = await RunAsync(new ProbeDefinition { Name = "c", Kind = ProbeKind.Command, Command = ["/bin/sh", "-c", $"echo $$ > {marker}; exec sleep 30"], Timeout = TimeSpan.FromMilliseconds(300) });

        Assert.True(ok.Success, ok.Detail);
        Assert.Equal((false, "stdout does not match /depth [0-4]\\b/"), (wrongOutput.Success, wrongOutput.Detail));
        Assert.Equal((false, "exit code 3, expected 0"), (wrongExit.Success, wrongExit.Detail));
        Assert.False(hangs.Success);
        Assert.StartsWith("no answer within 300 ms", hangs.Detail);
        var pid = int.Parse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        File.Delete(marker);
        await Poll.UntilAsync(() => Bev.Chaos.Targets.Linux.ProcFs.TryReadStat(pid) is null, TimeSpan.FromSeconds(5), "the hung command killed");
    }

    [Fact]
    public async Task PrometheusProbe_ComparesAScrapedMetricWithItsThreshold()
    {
        var url = new Uri($"http://127.0.0.1:{_f.Port}/metrics");
        var atLeastOne = await RunAsync(new ProbeDefinition { Name = "p", Kind = ProbeKind.Prometheus, Url = url, Metric = "sample_requests_total{service=\"sample\"}", Comparison = ProbeComparison.GreaterOrEqual, Threshold = 1 });
        var tooHigh = await RunAsync(new ProbeDefinition { Name = "p", Kind = ProbeKind.Prometheus, Url = url, Metric = "sample_requests_total", Comparison = ProbeComparison.LessThan, Threshold = 1 });
        var missing = await RunAsync(new ProbeDefinition { Name = "p", Kind = ProbeKind.Prometheus, Url = url, Metric = "sample_requests_total{service=\"other\"}", Threshold = 1 });

        Assert.True(atLeastOne.Success, atLeastOne.Detail);
        Assert.False(tooHigh.Success);
        Assert.Matches(@"^sample_requests_total = \d+, must be < 1$", tooHigh.Detail);
        Assert.Equal((false, "no sample matches sample_requests_total{service=\"other\"}"), (missing.Success, missing.Detail));
        Assert.True(tooHigh.Value >= 1, $"the value read is in the result: {tooHigh.Value}");
        Assert.Null(missing.Value);
    }

    [Fact]
    public async Task PrometheusProbe_MeasureOnly_SucceedsWithTheValueRead_AndFailsOnlyWhenItCannotRead()
    {
        var url = new Uri($"http://127.0.0.1:{_f.Port}/metrics");
        var measured = await RunAsync(new ProbeDefinition { Name = "m", Kind = ProbeKind.Prometheus, Url = url, Metric = "sample_requests_total", MeasureOnly = true });
        var again = await RunAsync(new ProbeDefinition { Name = "m", Kind = ProbeKind.Prometheus, Url = url, Metric = "sample_requests_total", MeasureOnly = true });
        var missing = await RunAsync(new ProbeDefinition { Name = "m", Kind = ProbeKind.Prometheus, Url = url, Metric = "no_such_metric", MeasureOnly = true });

        Assert.True(measured.Success, measured.Detail);
        Assert.Matches(@"^sample_requests_total = \d+ \(measured\)$", measured.Detail);
        Assert.True(again.Value > measured.Value, $"each scrape is a request the sample counts: {measured.Value}, then {again.Value}");
        Assert.Equal((false, (double?)null), (missing.Success, missing.Value));
    }

    [Fact]
    public async Task DuringFaultProbe_IsJudgedWhileTheFaultIsActive_ContinuousOneIsNot()
    {
        // The same check — web is running, not stopped — fails while web is paused.
        var running = new ProbeDefinition { Name = "web running", Kind = ProbeKind.Process, Target = "web" };
        var experiment = new ExperimentConfig
        {
            Name = "pause",
            BaselineDuration = TimeSpan.FromMilliseconds(300),
            ValidationDuration = TimeSpan.FromMilliseconds(300),
            ProbeInterval = TimeSpan.FromMilliseconds(100),

            // Failing probes feed the safety monitor's error rate; here they are the point.
            AbortConditions = new Bev.Chaos.Configuration.SafetySettings { MaxErrorRate = 100, MaxCpuUsage = 100, MaxMemoryUsage = 100 },
            FaultInjections = [new FaultInjectionSpec { InjectorName = "service_pause", TargetService = "web", Duration = TimeSpan.FromSeconds(1) }],
        };

        var continuous = await _f.Engineer.RunExperimentAsync(experiment with { SteadyStateProbes = [running] }, TestContext.Current.CancellationToken);
        var duringFault = await _f.Engineer.RunExperimentAsync(experiment with { SteadyStateProbes = [running with { Mode = ProbeMode.DuringFault }] }, TestContext.Current.CancellationToken);

        Assert.True(continuous.Verdict == ExperimentVerdict.Passed, string.Join("; ", continuous.Reasons));
        Assert.Contains(continuous.ProbeResults, r => !r.Success && r.Detail.Contains("is stopped", StringComparison.Ordinal));
        Assert.Equal(ExperimentVerdict.Failed, duringFault.Verdict);
        Assert.StartsWith("a during_fault probe did not hold while the faults were active", duringFault.Reasons.Single());
        var injected = duringFault.Faults.Single().InjectedAt;
        Assert.All(duringFault.ProbeResults.Where(r => r.Probe == "web running"), r => Assert.True(r.Time >= injected.AddMilliseconds(-50), "a during_fault probe ran outside the fault"));
    }

    private Task<ProbeResult> RunAsync(ProbeDefinition probe) => _f.Probes.RunAsync(probe, TestContext.Current.CancellationToken);
}
