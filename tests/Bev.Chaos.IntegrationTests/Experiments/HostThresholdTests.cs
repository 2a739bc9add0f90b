using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;
using Bev.Chaos.Safety;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Experiments;

/// <summary>
/// The safety block's host thresholds (<c>max_cpu_usage</c>, <c>max_memory_usage</c>, in percent as
/// the original writes them) act on the host's real figures: a real fault that pushes the host past
/// one aborts the experiment and is removed.
/// </summary>
public sealed class HostThresholdTests : IDisposable
{
    private readonly TestProcess _target = TestProcess.Sleeper();

    public void Dispose() => _target.Dispose();

    private static async Task<ExperimentResult> RunAsync(SafetySettings safety, ExperimentConfig experiment)
    {
        await using var engine = new EngineFixture(new ChaosConfiguration { Safety = safety });
        using var probes = new ProbeRunner(new Bev.Chaos.Targets.TargetResolver(engine.Configuration), TimeProvider.System);
        await using var engineer = new ChaosEngineer(engine.Configuration, engine.Manager, new SafetyLock(engine.Store, TimeProvider.System), probes);
        return await engineer.RunExperimentAsync(experiment, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task MaxCpuUsage_CrossedByARealCpuStress_Aborts_AndTheStressIsRemoved()
    {
        // Every core busy: the host's CPU goes far past 60 % (example 8 writes max_cpu_usage in percent).
        // Memory at its ceiling: this test is about CPU, whatever else the host holds.
        var safety = new SafetySettings { MaxCpuUsage = 60, MaxMemoryUsage = 100, SafetyMonitoringInterval = TimeSpan.FromMilliseconds(300) };
        var experiment = HostPressure("cpu-breach", "cpu_stress", new Dictionary<string, object?> { ["workers"] = Environment.ProcessorCount, ["load_percent"] = 100 });

        var result = await RunAsync(safety, experiment);

        AssertAbortedByHostPressure(result, "max_cpu_usage", 60);
    }

    [Fact]
    public async Task MaxMemoryUsage_CrossedByARealMemoryLeak_Aborts_AndTheMemoryIsFreed()
    {
        // The threshold two points above what the host uses now; the leak grows by five points of
        // its memory (every page touched), at 1 GiB/s.
        var used = HostMetrics.MemoryPercent();
        Assert.True(used < 90, $"this test needs the host below 90 % of its memory; it uses {used:0.#} %");
        var limit = Math.Ceiling(used) + 2;
        var totalMb = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024);
        // CPU at its ceiling: on a busy host the leak's page faults beside other work can take every
        // core, and this test is about memory (seen: "max_cpu_usage 100 above 95" beside stress-ng).
        var safety = new SafetySettings { MaxCpuUsage = 100, MaxMemoryUsage = limit, SafetyMonitoringInterval = TimeSpan.FromMilliseconds(300) };
        var experiment = HostPressure("memory-breach", "memory_leak", new Dictionary<string, object?> { ["rate_mb_per_s"] = 1024, ["max_mb"] = (long)Math.Ceiling(totalMb * 0.05) });

        var result = await RunAsync(safety, experiment);

        AssertAbortedByHostPressure(result, "max_memory_usage", limit);
        await Poll.UntilAsync(HostMetrics.MemoryPercent, percent => percent < limit, TimeSpan.FromSeconds(10), "the leak's memory given back");
    }

    private ExperimentConfig HostPressure(string name, string injector, Dictionary<string, object?> parameters) => new()
    {
        Name = name,
        FaultInjections = [new FaultInjectionSpec { InjectorName = injector, TargetService = $"pid:{_target.Pid}", Parameters = parameters, Duration = TimeSpan.FromSeconds(60) }],
        BaselineDuration = TimeSpan.Zero,
        ValidationDuration = TimeSpan.Zero,
    };

    private static void AssertAbortedByHostPressure(ExperimentResult result, string threshold, double limit)
    {
        Assert.True(result.Verdict == ExperimentVerdict.Aborted && result.Breach?.Threshold == threshold, $"{result.Verdict}, breach {result.Breach?.Threshold ?? "none"}: {string.Join("; ", result.Reasons)}");
        Assert.True(result.Breach!.Observed > limit, $"{threshold}: observed {result.Breach.Observed:0.#} is above {limit}");
        var fault = Assert.Single(result.Faults);

        // The breach ended the fault long before its 60 s were up, and the fault is gone.
        Assert.NotNull(fault.RemovedAt);
        Assert.True(fault.RemovedAt - fault.InjectedAt < TimeSpan.FromSeconds(30), $"removed {fault.RemovedAt - fault.InjectedAt} after it was applied");
    }
}
