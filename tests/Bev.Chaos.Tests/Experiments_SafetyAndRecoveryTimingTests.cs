using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;
using Bev.Chaos.Safety;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Bev.Chaos.Tests;

/// <summary>
/// Under fake time: the safety monitor samples at the configured interval (counted as reads of a
/// real loopback health monitor), and the time to recover is measured as defined.
/// </summary>
public sealed class SafetyAndRecoveryTimingTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly TestProcess _target = TestProcess.Sleeper();
    private readonly TempDirectory _markers = new();
    private readonly LoopbackHttpServer _monitor = new();
    private EngineFixture? _engine;
    private ProbeRunner? _probes;
    private ChaosEngineer? _engineer;

    private int Markers => Directory.GetFiles(_markers.Path, "*.marker").Length;

    private ChaosEngineer Engineer(GlobalSettings global, TimeSpan? safetyMonitoringInterval = null)
    {
        // Host load is not what these tests are about: the thresholds are at their ceilings.
        var safety = new SafetySettings { MaxCpuUsage = 100, MaxMemoryUsage = 100 };
        var configuration = new ChaosConfiguration
        {
            Global = global,
            Safety = safetyMonitoringInterval is { } interval ? safety with { SafetyMonitoringInterval = interval } : safety,
            Integration = new IntegrationSettings { HealthMonitorUrl = new Uri(_monitor.Url) },
        };
        _engine = new EngineFixture(configuration, _time, [new RecordingInjector(_markers.Path)]);
        _probes = new ProbeRunner(new TargetResolver(_engine.Configuration), _time);
        _engineer = new ChaosEngineer(_engine.Configuration, _engine.Manager, new SafetyLock(_engine.Store, _time), _probes, timeProvider: _time);
        return _engineer;
    }

    private ExperimentConfig LongFault(string name) => new()
    {
        Name = name,
        FaultInjections = [new FaultInjectionSpec { InjectorName = "recording", TargetService = $"pid:{_target.Pid}", Duration = TimeSpan.FromSeconds(60) }],
        BaselineDuration = TimeSpan.Zero,
        ValidationDuration = TimeSpan.Zero,
    };

    [Fact]
    public async Task SafetyMonitor_GlobalSafetyCheckInterval_SamplesOncePerInterval()
    {
        // safety.safety_monitoring_interval stays at its 5 s default: the shorter global 2 s drives.
        var engineer = Engineer(new GlobalSettings { SafetyCheckInterval = TimeSpan.FromSeconds(2) });
        var running = engineer.RunExperimentAsync(LongFault("sampled"), TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => Markers == 1 && engineer.Running.FirstOrDefault()?.ActiveFaultIds.Count == 1, TimeSpan.FromSeconds(5), "the fault injected");

        await Step(TimeSpan.FromSeconds(1.9), () => _monitor.Requests == 0, "no sample before 2 s");
        await Step(TimeSpan.FromSeconds(0.1), () => _monitor.Requests == 1, "the first sample at 2 s");
        await Step(TimeSpan.FromSeconds(1.9), () => _monitor.Requests == 1, "none between");
        await Step(TimeSpan.FromSeconds(0.1), () => _monitor.Requests == 2, "the second at 4 s");
        await Step(TimeSpan.FromSeconds(2), () => _monitor.Requests == 3, "the third at 6 s");
        await Step(TimeSpan.FromSeconds(2), () => _monitor.Requests == 4, "the fourth at 8 s");

        engineer.Stop(engineer.Running.Single().Id);
        var result = await running;
        Assert.Equal(ExperimentVerdict.Aborted, result.Verdict);
        Assert.Null(result.Breach);
        Assert.Equal(0, Markers);
    }

    [Fact]
    public async Task SafetyMonitor_SafetyMonitoringIntervalShorterThanTheGlobal_SamplesAtIt()
    {
        // The original's example 9 and 8 together: global.safety_check_interval 10 s, safety.safety_monitoring_interval 5 s.
        var engineer = Engineer(new GlobalSettings { SafetyCheckInterval = TimeSpan.FromSeconds(10) }, TimeSpan.FromSeconds(5));
        var running = engineer.RunExperimentAsync(LongFault("safety-interval"), TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => Markers == 1 && engineer.Running.FirstOrDefault()?.ActiveFaultIds.Count == 1, TimeSpan.FromSeconds(5), "the fault injected");

        await Step(TimeSpan.FromSeconds(4.9), () => _monitor.Requests == 0, "no sample before 5 s");
        await Step(TimeSpan.FromSeconds(0.1), () => _monitor.Requests == 1, "the first at 5 s");
        await Step(TimeSpan.FromSeconds(5), () => _monitor.Requests == 2, "the second at 10 s, not later");
        await Step(TimeSpan.FromSeconds(5), () => _monitor.Requests == 3, "the third at 15 s");

        engineer.Stop(engineer.Running.Single().Id);
        Assert.Equal(ExperimentVerdict.Aborted, (await running).Verdict);
    }

    [Fact]
    public async Task SafetyMonitor_ScenarioAbortConditionsInterval_OverridesTheGlobalOne()
    {
        var engineer = Engineer(new GlobalSettings { SafetyCheckInterval = TimeSpan.FromSeconds(2) });
        var config = LongFault("scenario-interval") with { AbortConditions = new SafetySettings { SafetyMonitoringInterval = TimeSpan.FromSeconds(3), MaxCpuUsage = 100, MaxMemoryUsage = 100 } };
        var running = engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => Markers == 1 && engineer.Running.FirstOrDefault()?.ActiveFaultIds.Count == 1, TimeSpan.FromSeconds(5), "the fault injected");

        await Step(TimeSpan.FromSeconds(2), () => _monitor.Requests == 0, "no sample at the global 2 s");
        await Step(TimeSpan.FromSeconds(1), () => _monitor.Requests == 1, "the first at 3 s");
        await Step(TimeSpan.FromSeconds(3), () => _monitor.Requests == 2, "the second at 6 s");
        await Step(TimeSpan.FromSeconds(3), () => _monitor.Requests == 3, "the third at 9 s");

        engineer.Stop(engineer.Running.Single().Id);
        Assert.Equal(ExperimentVerdict.Aborted, (await running).Verdict);
    }

    [Fact]
    public async Task TimeToRecover_FromTheRemovalToTheFirstOfThreeHealthyRounds()
    {
        var engineer = Engineer(new GlobalSettings());
        var healthy = Path.Combine(_markers.Path, "healthy");
        var rounds = Path.Combine(_markers.Path, "rounds");
        var probe = new ProbeDefinition
        {
            Name = "healthy file",
            Kind = ProbeKind.Command,
            Mode = ProbeMode.End,
            Command = ["/bin/sh", "-c", $"test -f {healthy}; r=$?; echo x >> {rounds}; exit $r"],
        };
        var config = new ExperimentConfig
        {
            Name = "recovers",
            FaultInjections = [new FaultInjectionSpec { InjectorName = "recording", TargetService = $"pid:{_target.Pid}", Duration = TimeSpan.FromSeconds(1) }],
            SteadyStateProbes = [probe],
            BaselineDuration = TimeSpan.Zero,
            ValidationDuration = TimeSpan.Zero,
            ProbeInterval = TimeSpan.FromMilliseconds(500),
            RecoveryWindow = TimeSpan.FromSeconds(10),
        };
        var running = engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => Markers == 1 && engineer.Running.FirstOrDefault()?.ActiveFaultIds.Count == 1, TimeSpan.FromSeconds(5), "the fault injected");

        await Step(TimeSpan.FromSeconds(1), () => Rounds(rounds) == 1, "the first recovery round, right after the removal (unhealthy)");
        await Step(TimeSpan.FromMilliseconds(500), () => Rounds(rounds) == 2, "the second (unhealthy)");
        await File.WriteAllTextAsync(healthy, "ok", TestContext.Current.CancellationToken);
        await Step(TimeSpan.FromMilliseconds(500), () => Rounds(rounds) == 3, "the third (healthy) at 1.0 s after the removal");
        await Step(TimeSpan.FromMilliseconds(500), () => Rounds(rounds) == 4, "the fourth (healthy)");
        await Step(TimeSpan.FromMilliseconds(500), () => Rounds(rounds) == 6, "the fifth (healthy: recovered) and validation's round");
        await Step(TimeSpan.FromMilliseconds(500), () => running.IsCompleted, "validation over");
        var result = await running;

        Assert.True(result.Verdict == ExperimentVerdict.Passed, string.Join("; ", result.Reasons));
        var removed = Assert.Single(result.Faults).RemovedAt!.Value;
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(2.5), removed);
        Assert.Equal(TimeSpan.FromSeconds(1), result.TimeToRecover);
        Assert.Equal(TimeSpan.FromSeconds(1), result.Outage);
        Assert.Null(result.AutoRecoveryResponseTime);
        Assert.True(result.RolledBack);
        Assert.Contains("time to recover 1000 ms", result.Reasons.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void RecoveryTime_FirstOfNConsecutiveHealthyAfterTheRemoval()
    {
        var removed = _time.GetUtcNow();
        (DateTimeOffset, bool) At(double seconds, bool healthy) => (removed.AddSeconds(seconds), healthy);

        Assert.Equal(TimeSpan.FromSeconds(2), RecoveryTime.Measure([At(-1, true), At(0, false), At(1, true), At(1.5, false), At(2, true), At(3, true), At(4, true)], removed, 3));
        Assert.Equal(TimeSpan.Zero, RecoveryTime.Measure([At(0, true), At(1, true), At(2, true)], removed, 3));
        Assert.Null(RecoveryTime.Measure([At(0, true), At(1, true), At(2, false)], removed, 3));
        Assert.Null(RecoveryTime.Measure([At(-3, true), At(-2, true), At(-1, true)], removed, 3));
    }

    private static int Rounds(string file) => File.Exists(file) ? File.ReadAllLines(file).Length : 0;

    private async Task Step(TimeSpan advance, Func<bool> then, string what)
    {
        _time.Advance(advance);
        await Poll.UntilAsync(then, TimeSpan.FromSeconds(5), what);
    }

    public async ValueTask DisposeAsync()
    {
        if (_engineer is not null)
        {
            await _engineer.DisposeAsync();
        }

        _probes?.Dispose();
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        _monitor.Dispose();
        _target.Dispose();
        _markers.Dispose();
    }
}
