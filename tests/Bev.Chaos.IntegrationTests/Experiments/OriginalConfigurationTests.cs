using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Experiments;

/// <summary>
/// The original system's <c>chaos_engineer.yaml</c> — all four blocks of examples 8 and 9, verbatim
/// but for the integrations' address — drives a real experiment on an engine: its thresholds in
/// percent, the interval the two settings make, its caps and both integrations act.
/// </summary>
public sealed class OriginalConfigurationTests
{
    [Fact]
    public async Task ChaosEngineerYaml_Verbatim_ThresholdsIntervalCapsAndIntegrationsAct()
    {
        // One stand-in at the integrations' one address, as the original has them.
        using var integrations = new LoopbackHttpServer("""{"cpu_usage": 80.0, "memory_usage": 40.0, "error_rate": 0.4, "response_time_ms": 120}""", "application/json");
        using var target = TestProcess.Sleeper();
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "chaos_engineer.yaml");
        await File.WriteAllTextAsync(file, OriginalExamples.ChaosEngineerYaml($"127.0.0.1:{integrations.Port}"), TestContext.Current.CancellationToken);
        await using var engine = await ChaosEngine.OpenAsync(ChaosConfigurationLoader.LoadFile(file), data.Path, cancellationToken: TestContext.Current.CancellationToken);

        // fault_injectors: the cap refuses beyond it, naming it.
        var capped = Assert.Throws<ChaosValidationException>(() => engine.Faults.Validate("network_delay", $"pid:{target.Pid}", null, new Dictionary<string, object?> { ["delay_ms"] = 2500 }, TimeSpan.FromSeconds(5)));
        Assert.Contains("max_delay_ms", Assert.Single(capped.Errors, e => e.Field == "parameters.delay_ms").ToString(), StringComparison.Ordinal);

        // Below every threshold in the original's units (an error rate of 0.4 is 40 %, under 50 %):
        // the experiment passes, and the auto-recovery system's response time is measured.
        var calm = await engine.Engineer.RunExperimentAsync(Paused("original-configuration-calm", target, TimeSpan.FromSeconds(6)), TestContext.Current.CancellationToken);
        Assert.True(calm.Verdict == ExperimentVerdict.Passed && calm.Breach is null, $"{calm.Verdict}: {string.Join("; ", calm.Reasons)}");
        Assert.NotNull(calm.AutoRecoveryResponseTime);
        var asked = integrations.Requests;
        Assert.True(asked >= 2, $"the health monitor (at 5 s) and the auto-recovery system were asked ({asked} requests)");

        // The monitor now reports CPU at 95 %, above max_cpu_usage: 90.
        integrations.Answer("""{"cpu_usage": 95.0, "memory_usage": 40.0, "error_rate": 0.4, "response_time_ms": 120}""", "application/json");
        var result = await engine.Engineer.RunExperimentAsync(Paused("original-configuration-breach", target, TimeSpan.FromSeconds(30)), TestContext.Current.CancellationToken);

        // auto_rollback_enabled: the crossed threshold aborted the experiment and removed the fault.
        Assert.Equal(ExperimentVerdict.Aborted, result.Verdict);
        var breach = result.Breach!;
        Assert.Contains("max_cpu_usage", breach.Threshold, StringComparison.Ordinal);
        if (breach.Threshold.StartsWith("health monitor", StringComparison.Ordinal))
        {
            Assert.Equal((95.0, 90.0), (breach.Observed, breach.Limit));
        }

        // The first sample comes at the shorter of safety_check_interval (10 s) and safety_monitoring_interval
        // (5 s), counted from the injection phase's start, a little before the fault is stamped injected.
        var fault = Assert.Single(result.Faults);
        var sampledAfter = breach.Time - fault.InjectedAt;
        Assert.True(sampledAfter >= TimeSpan.FromSeconds(3) && sampledAfter < TimeSpan.FromSeconds(10), $"the breach came {sampledAfter} after the fault");
        Assert.NotNull(fault.RemovedAt);
        Assert.True(target.State is 'R' or 'S', "the target runs again");
    }

    private static ExperimentConfig Paused(string name, TestProcess target, TimeSpan duration) => new()
    {
        Name = name,
        FaultInjections = [new FaultInjectionSpec { InjectorName = "service_pause", TargetService = $"pid:{target.Pid}", Duration = duration }],
        BaselineDuration = TimeSpan.Zero,
        ValidationDuration = TimeSpan.Zero,
        ProbeInterval = TimeSpan.FromMilliseconds(200),
    };
}
