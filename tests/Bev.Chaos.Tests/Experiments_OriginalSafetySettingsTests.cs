using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;
using Bev.Chaos.Safety;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests;

/// <summary>
/// The original system's safety switches act as its documentation says (ORIGINAL-EXAMPLES.md,
/// example 8): <c>production_mode</c>, <c>require_approval_for_critical</c>, and the
/// <c>fault_injectors</c> caps of example 9 on the real fault types.
/// </summary>
public sealed class OriginalSafetySettingsTests : IDisposable
{
    private readonly TestProcess _target = TestProcess.Sleeper();
    private readonly TempDirectory _markers = new();

    public void Dispose()
    {
        _target.Dispose();
        _markers.Dispose();
    }

    private async Task<T> WithEngineerAsync<T>(SafetySettings safety, Func<ChaosEngineer, Task<T>> body, bool builtIn = false)
    {
        var configuration = new ChaosConfiguration { Safety = safety with { MaxCpuUsage = 100, MaxMemoryUsage = 100 } };
        await using var engine = new EngineFixture(configuration, TimeProvider.System, builtIn ? null : [new RecordingInjector(_markers.Path)]);
        using var probes = new ProbeRunner(new Bev.Chaos.Targets.TargetResolver(engine.Configuration), TimeProvider.System);
        await using var engineer = new ChaosEngineer(engine.Configuration, engine.Manager, new SafetyLock(engine.Store, TimeProvider.System), probes);
        return await body(engineer);
    }

    private ExperimentConfig Experiment(SafetyLevel level) => new()
    {
        Name = "level-" + level.ToString().ToLowerInvariant(),
        SafetyLevel = level,
        FaultInjections = [new FaultInjectionSpec { InjectorName = "recording", TargetService = $"pid:{_target.Pid}", Duration = TimeSpan.FromMilliseconds(100) }],
        BaselineDuration = TimeSpan.Zero,
        ValidationDuration = TimeSpan.Zero,
    };

    [Fact]
    public async Task ProductionMode_WithoutApprovalForCritical_RefusesAboveMedium_RunsMedium()
    {
        var safety = new SafetySettings { ProductionMode = true, RequireApprovalForCritical = false };

        var (refused, medium) = await WithEngineerAsync(safety, async engineer =>
        {
            var error = Assert.Throws<ExperimentRefusedException>(() => engineer.StartExperiment(Experiment(SafetyLevel.High), TestContext.Current.CancellationToken));
            return (error, await engineer.RunExperimentAsync(Experiment(SafetyLevel.Medium), TestContext.Current.CancellationToken));
        });

        Assert.Contains("production_mode forbids experiments above safety level Medium", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ExperimentVerdict.Passed, medium.Verdict);
        Assert.Empty(Directory.GetFiles(_markers.Path, "*.marker"));
    }

    [Fact]
    public async Task ProductionMode_WithApproval_HighWaitsForIt()
    {
        var safety = new SafetySettings { ProductionMode = true, RequireApprovalForCritical = true };

        var (waited, result) = await WithEngineerAsync(safety, async engineer =>
        {
            var run = engineer.StartExperiment(Experiment(SafetyLevel.High), TestContext.Current.CancellationToken);
            var waiting = await Poll.UntilAsync(() => run.Status, s => s == ExperimentStatus.AwaitingApproval, TimeSpan.FromSeconds(5), "awaiting_approval");
            Assert.Empty(Directory.GetFiles(_markers.Path, "*.marker"));
            Assert.True(engineer.Approve(run.Id));
            return (waiting, await run.Completion);
        });

        Assert.Equal(ExperimentStatus.AwaitingApproval, waited);
        Assert.Equal(ExperimentVerdict.Passed, result.Verdict);
        Assert.Equal(ExperimentStatus.AwaitingApproval, result.Phases[0].Phase);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task RequireApprovalForCritical_DecidesWhetherCriticalWaits(bool required, bool waits)
    {
        var safety = new SafetySettings { ProductionMode = false, RequireApprovalForCritical = required };

        var result = await WithEngineerAsync(safety, async engineer =>
        {
            var run = engineer.StartExperiment(Experiment(SafetyLevel.Critical), TestContext.Current.CancellationToken);
            if (waits)
            {
                await Poll.UntilAsync(() => run.Status == ExperimentStatus.AwaitingApproval, TimeSpan.FromSeconds(5), "awaiting_approval");
                Assert.True(engineer.Approve(run.Id));
            }

            return await run.Completion;
        });

        Assert.Equal(ExperimentVerdict.Passed, result.Verdict);
        Assert.Equal(waits, result.Phases.Any(p => p.Phase == ExperimentStatus.AwaitingApproval));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AutoRollbackEnabled_DecidesWhetherACrossedThresholdAborts(bool autoRollback)
    {
        // The target is paused by the fault, so its process probe fails while the fault holds: an
        // error rate of 100 % against max_error_rate 50 (the original's), sampled every 100 ms.
        var safety = new SafetySettings { AutoRollbackEnabled = autoRollback, MaxErrorRate = 50, SafetyMonitoringInterval = TimeSpan.FromMilliseconds(100) };
        var experiment = new ExperimentConfig
        {
            Name = "rollback-" + (autoRollback ? "on" : "off"),
            FaultInjections = [new FaultInjectionSpec { InjectorName = "service_pause", TargetService = $"pid:{_target.Pid}", Duration = TimeSpan.FromSeconds(1.5) }],
            SteadyStateProbes = [new ProbeDefinition { Name = "running", Kind = ProbeKind.Process, Target = $"pid:{_target.Pid}" }],
            ProbeInterval = TimeSpan.FromMilliseconds(100),
            BaselineDuration = TimeSpan.FromMilliseconds(200),
            ValidationDuration = TimeSpan.FromMilliseconds(200),
        };

        var result = await WithEngineerAsync(safety, engineer => engineer.RunExperimentAsync(experiment, TestContext.Current.CancellationToken), builtIn: true);

        if (autoRollback)
        {
            Assert.Equal(ExperimentVerdict.Aborted, result.Verdict);
            Assert.Equal("max_error_rate", result.Breach?.Threshold);
        }
        else
        {
            Assert.NotEqual(ExperimentVerdict.Aborted, result.Verdict);
            Assert.Null(result.Breach);
        }

        Assert.True(_target.State is 'R' or 'S', "running again (R or S) after the experiment");
    }

    [Theory]
    [InlineData("network_delay", "delay_ms", 2500, "max_delay_ms")]
    [InlineData("cpu_stress", "load_percent", 96, "max_cpu_load")]
    public async Task OriginalCaps_OnTheRealFaultTypes_RefuseBeyondAndNameTheCap(string injector, string parameter, int value, string cap)
    {
        // Example 9, verbatim.
        var configuration = ChaosConfigurationLoader.Parse(OriginalExamples.GlobalInjectorsIntegration, "chaos_engineer.yaml");
        await using var engine = new EngineFixture(configuration);

        var error = Assert.Throws<ChaosValidationException>(() => engine.Manager.Validate(injector, $"pid:{_target.Pid}", null, new Dictionary<string, object?> { [parameter] = value }, TimeSpan.FromSeconds(5)));

        var onParameter = Assert.Single(error.Errors, e => e.Field == $"parameters.{parameter}");
        Assert.Contains(cap, onParameter.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OriginalCap_AtTheCap_IsAccepted()
    {
        var configuration = ChaosConfigurationLoader.Parse("fault_injectors:\n  cpu_stress:\n    enabled: true\n    max_cpu_load: 95\n", "chaos_engineer.yaml");
        await using var engine = new EngineFixture(configuration);

        var context = engine.Manager.Validate("cpu_stress", $"pid:{_target.Pid}", null, new Dictionary<string, object?> { ["load_percent"] = 95 }, TimeSpan.FromSeconds(5));

        Assert.Equal(95.0, context.Parameters.GetNumber("load_percent"));
    }
}
