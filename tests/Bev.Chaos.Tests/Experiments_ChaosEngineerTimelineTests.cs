using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Probes;
using Bev.Chaos.Safety;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Bev.Chaos.Tests;

/// <summary>The experiment timeline under fake time: faults start at their offsets and end after their durations.</summary>
public sealed class ChaosEngineerTimelineTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly TestProcess _target = TestProcess.Sleeper();
    private readonly TempDirectory _markers = new();
    private EngineFixture _engine = null!;
    private ChaosEngineer _engineer = null!;
    private ProbeRunner _probes = null!;

    public ValueTask InitializeAsync()
    {
        // Host load is not what these tests are about: the thresholds are at their ceilings.
        var configuration = new ChaosConfiguration { Safety = new SafetySettings { MaxCpuUsage = 100, MaxMemoryUsage = 100 } };
        _engine = new EngineFixture(configuration, _time, [new RecordingInjector(_markers.Path)]);
        _probes = new ProbeRunner(new TargetResolver(_engine.Configuration), _time);
        _engineer = new ChaosEngineer(_engine.Configuration, _engine.Manager, new SafetyLock(_engine.Store, _time), _probes, timeProvider: _time);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _engineer.DisposeAsync();
        _probes.Dispose();
        await _engine.DisposeAsync();
        _target.Dispose();
        _markers.Dispose();
    }

    private int Markers => Directory.GetFiles(_markers.Path).Length;

    private bool Holds(int faults) => _engineer.Running.FirstOrDefault()?.ActiveFaultIds.Count == faults;

    [Fact]
    public async Task Timeline_FaultsFollowTheirOffsetsAndDurations_PhasesCarryFakeTimes()
    {
        var start = _time.GetUtcNow();
        var config = new ExperimentConfig
        {
            Name = "timeline",
            FaultInjections =
            [
                new FaultInjectionSpec { InjectorName = "recording", TargetService = $"pid:{_target.Pid}", Offset = TimeSpan.Zero, Duration = TimeSpan.FromSeconds(10) },
                new FaultInjectionSpec { InjectorName = "recording", TargetService = $"pid:{_target.Pid}", Offset = TimeSpan.FromSeconds(5), Duration = TimeSpan.FromSeconds(10) },
            ],
            BaselineDuration = TimeSpan.FromSeconds(2),
            ValidationDuration = TimeSpan.FromSeconds(1),
        };

        var running = _engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);
        // The experiment holding the fault too: it stamps InjectedAt once the injection call returned.
        await Step(TimeSpan.FromSeconds(2), () => Markers == 1 && Holds(1), "the first fault at offset 0");
        await Step(TimeSpan.FromSeconds(4.9), () => Markers == 1, "nothing new before 5 s");
        await Step(TimeSpan.FromSeconds(0.1), () => Markers == 2 && Holds(2), "the second fault at 5 s");
        await Step(TimeSpan.FromSeconds(5), () => Markers == 1, "the first fault expired at 10 s");
        await Step(TimeSpan.FromSeconds(5), () => Markers == 0, "the second fault expired at 15 s");

        // The validation wait starts when the engine gets there, not when the test advances time.
        await Poll.UntilAsync(() => _engineer.Running.FirstOrDefault()?.Status == ExperimentStatus.Validation, TimeSpan.FromSeconds(5), "the validation phase");
        await Step(TimeSpan.FromSeconds(1), () => running.IsCompleted, "validation over");
        var result = await running;

        Assert.True(result.Verdict == ExperimentVerdict.Passed, string.Join("; ", result.Reasons));
        var phases = result.Phases.ToDictionary(p => p.Phase);
        Assert.Equal(start, phases[ExperimentStatus.Baseline].Started);
        Assert.Equal(start.AddSeconds(2), phases[ExperimentStatus.Injection].Started);
        Assert.Equal(start.AddSeconds(17), phases[ExperimentStatus.Injection].Ended);
        Assert.Equal(phases[ExperimentStatus.Validation].Started.AddSeconds(1), phases[ExperimentStatus.Validation].Ended);
        Assert.Equal([start.AddSeconds(2), start.AddSeconds(7)], result.Faults.Select(f => f.InjectedAt));
    }

    [Fact]
    public async Task Timeout_AbortsAndRollsBack()
    {
        var config = new ExperimentConfig
        {
            Name = "too-long",
            FaultInjections = [new FaultInjectionSpec { InjectorName = "recording", TargetService = $"pid:{_target.Pid}", Duration = TimeSpan.FromSeconds(50) }],
            BaselineDuration = TimeSpan.Zero,
            Timeout = TimeSpan.FromSeconds(60),
        };

        var running = _engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);
        await Step(TimeSpan.Zero, () => Markers == 1, "the fault injected");
        await Step(TimeSpan.FromSeconds(30), () => Markers == 1, "still in effect at 30 s");
        var result = await Task.Run(async () =>
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            return await running;
        }, TestContext.Current.CancellationToken);

        Assert.True(result.Verdict is ExperimentVerdict.Aborted or ExperimentVerdict.Passed, string.Join(";", result.Reasons));
        Assert.Equal(0, Markers);
    }

    private async Task Step(TimeSpan advance, Func<bool> then, string what)
    {
        _time.Advance(advance);
        await Poll.UntilAsync(then, TimeSpan.FromSeconds(5), what);
    }
}
