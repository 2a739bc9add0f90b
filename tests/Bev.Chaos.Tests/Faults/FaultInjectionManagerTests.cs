using Bev.Chaos.Configuration;
using Bev.Chaos.Events;
using Bev.Chaos.Faults;
using Bev.Chaos.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Bev.Chaos.Tests.Faults;

/// <summary>Orchestration: validation, caps, expiry, state transitions — time is fake, effects are marker files.</summary>
public sealed class FaultInjectionManagerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly TestProcess _target = TestProcess.Sleeper();
    private readonly TempDirectory _markers = new();
    private RecordingInjector _injector = null!;
    private EngineFixture _engine = null!;

    private string Target => $"pid:{_target.Pid}";

    public ValueTask InitializeAsync()
    {
        _injector = new RecordingInjector(_markers.Path);
        _engine = Engine(new ChaosConfiguration());
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        _target.Dispose();
        _markers.Dispose();
    }

    private EngineFixture Engine(ChaosConfiguration configuration) => new(configuration, _time, [_injector]);

    // Holds every apply of the recording injector until released: an injection in flight, mid-apply.
    private (Task Applying, TaskCompletionSource Release) HoldApplies()
    {
        var applying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _injector.BeforeApply = () =>
        {
            applying.TrySetResult();
            return release.Task;
        };
        return (applying.Task, release);
    }

    [Fact]
    public async Task InjectFaultAsync_ValidRequest_AppliesEffectAndJournalsActive()
    {
        var id = await _engine.Manager.InjectFaultAsync("recording", Target, parameters: new Dictionary<string, object?> { ["level"] = 7 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(File.Exists(RecordingInjector.MarkerFor(_markers.Path, id)));
        var entry = await _engine.Journal.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(FaultState.Active, entry!.State);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(30), entry.ExpiresAt);
        Assert.Contains("\"level\":7", entry.ParametersJson);
        var active = Assert.Single(_engine.Manager.ActiveFaults);
        Assert.Equal(id, active.FaultId);
    }

    [Fact]
    public async Task EmergencyStop_WhileAnInjectionIsHeldMidApply_RevertsWhatIsInEffectAtOnce_ThenTheLateOne()
    {
        var held = await _engine.Manager.InjectFaultAsync("recording", Target, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var (applying, release) = HoldApplies();
        var late = Task.Run(() => _engine.Manager.InjectFaultAsync("recording", Target, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
        await applying.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var stop = _engine.Manager.EmergencyStopAsync(TestContext.Current.CancellationToken);

        await Poll.UntilAsync(() => !File.Exists(RecordingInjector.MarkerFor(_markers.Path, held)), TimeSpan.FromSeconds(10), "the fault in effect to go while another injection is still applying");
        Assert.False(stop.IsCompleted, "the stop answered before the injection under way had finished");
        release.SetResult();
        Assert.Equal(2, await stop);
        await late;
        Assert.Empty(Directory.GetFiles(_markers.Path, "*.marker"));
        Assert.Empty(_engine.Manager.ActiveFaults);
        Assert.Empty(await _engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task InjectFaultAsync_ItsExpiryDueBeforeItAnswers_ReturnsTheFault_WhichThenExpires()
    {
        _injector.BeforeApply = () =>
        {
            _time.Advance(TimeSpan.FromSeconds(31));
            return Task.CompletedTask;
        };

        var id = await _engine.Manager.InjectFaultAsync("recording", Target, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        await Poll.UntilAsync(() => _engine.Manager.ActiveFaults.Count == 0, TimeSpan.FromSeconds(5), "the fault to expire");
        var entry = await _engine.Journal.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal((FaultState.Removed, "Expired"), (entry!.State, entry.RemovalReason));
        Assert.False(File.Exists(RecordingInjector.MarkerFor(_markers.Path, id)));
    }

    [Fact]
    public async Task DisposeAsync_WhileAnInjectionIsHeldMidApply_WaitsForIt_AndLeavesNothingInEffect()
    {
        await using var engine = Engine(new ChaosConfiguration());
        var (applying, release) = HoldApplies();
        var inject = Task.Run(() => engine.Manager.InjectFaultAsync("recording", Target, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
        await applying.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var disposed = engine.Manager.DisposeAsync().AsTask();
        release.SetResult();
        await disposed;

        var id = await inject;
        Assert.False(File.Exists(RecordingInjector.MarkerFor(_markers.Path, id)), "the fault that finished applying during disposal is still in effect");
        Assert.Empty(await engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.Manager.InjectFaultAsync("recording", Target, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Expiry_WhenDurationPasses_RemovesFaultAndRecordsReason()
    {
        using var events = _engine.Manager.Events.Subscribe();
        var id = await _engine.Manager.InjectFaultAsync("recording", Target, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Single(_engine.Manager.ActiveFaults);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => _engine.Manager.ActiveFaults.Count == 0, TimeSpan.FromSeconds(5), "the fault to expire");

        Assert.False(File.Exists(RecordingInjector.MarkerFor(_markers.Path, id)));
        var entry = await _engine.Journal.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(FaultState.Removed, entry!.State);
        Assert.Equal("Expired", entry.RemovalReason);
        Assert.IsType<FaultInjectedEvent>(await events.Reader.ReadAsync(TestContext.Current.CancellationToken));
        var removed = Assert.IsType<FaultRemovedEvent>(await events.Reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal(RemovalReason.Expired, removed.Reason);
    }

    [Fact]
    public async Task InjectFaultAsync_NoDuration_UsesProfileDurationThenConfiguredDefault()
    {
        var fromProfile = await _engine.Manager.InjectFaultAsync("recording", Target, "recording_heavy", cancellationToken: TestContext.Current.CancellationToken);
        var fromDefault = await _engine.Manager.InjectFaultAsync("recording", Target, cancellationToken: TestContext.Current.CancellationToken);

        var faults = _engine.Manager.ActiveFaults.ToDictionary(f => f.FaultId);
        Assert.Equal(TimeSpan.FromSeconds(20), faults[fromProfile].ExpiresAt - faults[fromProfile].CreatedAt);
        Assert.Equal(9L, faults[fromProfile].Parameters["level"]);
        Assert.Equal("hard", faults[fromProfile].Parameters["mode"]);
        Assert.Equal(TimeSpan.FromSeconds(60), faults[fromDefault].ExpiresAt - faults[fromDefault].CreatedAt);
    }

    [Fact]
    public async Task InjectFaultAsync_ExplicitParameter_OverridesProfile()
    {
        var id = await _engine.Manager.InjectFaultAsync("recording", Target, "recording_heavy", new Dictionary<string, object?> { ["level"] = "2" }, cancellationToken: TestContext.Current.CancellationToken);

        var fault = Assert.Single(_engine.Manager.ActiveFaults);
        Assert.Equal(2L, fault.Parameters["level"]);
        Assert.Equal("hard", fault.Parameters["mode"]);
        Assert.Equal(id, fault.FaultId);
    }

    [Fact]
    public async Task InjectFaultAsync_BadRequest_ListsEveryProblemAndAppliesNothing()
    {
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _engine.Manager.InjectFaultAsync(
            "recording", "pid:999999999", "recording_extreme",
            new Dictionary<string, object?> { ["level"] = 11, ["mode"] = "medium", ["colour"] = "red" },
            TimeSpan.FromHours(2), TestContext.Current.CancellationToken));

        Assert.Equal(
            [
                "profile_name: 'recording_extreme' is not allowed; allowed: one of recording_light, recording_medium, recording_heavy",
                "parameters.colour: 'red' is not allowed; allowed: a parameter of recording: level, mode",
                "parameters.level: '11' is not allowed; allowed: a whole number from 1 to 10",
                "parameters.mode: 'medium' is not allowed; allowed: one of soft, hard",
                "duration_seconds: '7200' is not allowed; allowed: more than 0 and at most 3600 seconds (global.max_fault_duration)",
                "target_service: 'pid:999999999' is not allowed; allowed: a running process (pid 999999999 does not exist)",
            ],
            error.Errors.Select(e => e.ToString()));
        Assert.Empty(Directory.GetFiles(_markers.Path));
        Assert.Empty(await _engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task InjectFaultAsync_ConfiguredCapsAndDisabledInjector_AreEnforced()
    {
        await using var capped = Engine(new ChaosConfiguration
        {
            FaultInjectors = new Dictionary<string, InjectorSettings> { ["recording"] = new() { Caps = new Dictionary<string, double> { ["max_level"] = 3 }, MaxDuration = TimeSpan.FromSeconds(10) } },
        });
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => capped.Manager.InjectFaultAsync("recording", Target, parameters: new Dictionary<string, object?> { ["level"] = 4 }, duration: TimeSpan.FromSeconds(11), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(
            [
                "parameters.level: '4' is not allowed; allowed: a whole number from 1 to 3 (capped by fault_injectors.recording.max_level)",
                "duration_seconds: '11' is not allowed; allowed: more than 0 and at most 10 seconds (fault_injectors.recording.max_duration)",
            ],
            error.Errors.Select(e => e.ToString()));

        await using var disabled = Engine(new ChaosConfiguration { FaultInjectors = new Dictionary<string, InjectorSettings> { ["recording"] = new() { Enabled = false } } });
        var refused = await Assert.ThrowsAsync<ChaosValidationException>(() => disabled.Manager.InjectFaultAsync("recording", Target, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("injector_name: 'recording' is not allowed; allowed: an enabled injector (fault_injectors.recording.enabled is false)", refused.Message);
    }

    [Fact]
    public void Constructor_UnknownInjectorOrCapInConfiguration_IsAnError()
    {
        var error = Assert.Throws<ChaosValidationException>(() => Engine(new ChaosConfiguration
        {
            SourceFile = "c.yaml",
            FaultInjectors = new Dictionary<string, InjectorSettings>
            {
                ["recordin"] = new(),
                ["recording"] = new() { Caps = new Dictionary<string, double> { ["max_speed"] = 3 }, CapLocations = new Dictionary<string, string> { ["max_speed"] = "c.yaml:7" } },
            },
        }));

        Assert.Equal(
            [
                "c.yaml: fault_injectors.recordin: 'recordin' is not allowed; allowed: an injector name: recording",
                "c.yaml:7: fault_injectors.recording.max_speed: '3' is not allowed; allowed: a cap of recording: max_level",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task InjectFaultAsync_UnknownInjector_NamesTheKnownOnes()
    {
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _engine.Manager.InjectFaultAsync("cpu_melt", Target, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("injector_name: 'cpu_melt' is not allowed; allowed: one of recording", error.Message);
    }

    [Fact]
    public async Task InjectFaultAsync_ApplyFails_RevertsAndJournalsFailed()
    {
        _injector.FailApply = true;
        using var events = _engine.Manager.Events.Subscribe();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _engine.Manager.InjectFaultAsync("recording", Target, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("apply failed on purpose", error.Message);
        Assert.Empty(Directory.GetFiles(_markers.Path));
        Assert.Equal(1, _injector.Reverts);
        var entry = Assert.Single(await _engine.Journal.ListRecentAsync(10, TestContext.Current.CancellationToken));
        Assert.Equal(FaultState.Failed, entry.State);
        Assert.Equal("apply failed on purpose", entry.Error);
        Assert.IsType<FaultFailedEvent>(await events.Reader.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RemoveFaultAsync_RevertFails_JournalsFailedWithReason()
    {
        var id = await _engine.Manager.InjectFaultAsync("recording", Target, cancellationToken: TestContext.Current.CancellationToken);
        _injector.FailRevert = true;

        await _engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);

        var entry = await _engine.Journal.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(FaultState.Failed, entry!.State);
        Assert.Equal("removal failed: revert failed on purpose", entry.Error);
        Assert.Empty(_engine.Manager.ActiveFaults);
    }

    [Fact]
    public async Task RemoveFaultAsync_FaultWithHandle_RevertsFromRecipeThenReleasesHandle()
    {
        // One undo channel: the recipe removes the effect (as crash recovery would); the handle only
        // releases what lives in this process, after the effect is gone.
        var injector = new HandleInjector(_markers.Path);
        await using var engine = new EngineFixture(new ChaosConfiguration(), _time, [injector]);
        var id = await engine.Manager.InjectFaultAsync(HandleInjector.InjectorName, Target, cancellationToken: TestContext.Current.CancellationToken);
        var marker = RecordingInjector.MarkerFor(_markers.Path, id);
        Assert.True(File.Exists(marker));

        Assert.True(await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken));

        Assert.False(File.Exists(marker));
        Assert.Equal([false], injector.MarkerPresentAtRelease);
        Assert.Equal(FaultState.Removed, (await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken))!.State);
    }

    private sealed class HandleInjector(string directory) : FaultInjector
    {
        public const string InjectorName = "with_handle";

        public List<bool> MarkerPresentAtRelease { get; } = [];

        public override string Name => InjectorName;

        public override FaultCategory Category => FaultCategory.Application;

        public override string Description => "Writes a marker file and holds a handle.";

        public override IReadOnlyList<FaultParameter> Parameters { get; } = [];

        protected internal override ValueTask<System.Text.Json.Nodes.JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new System.Text.Json.Nodes.JsonObject { ["marker"] = RecordingInjector.MarkerFor(directory, context.FaultId) });

        protected internal override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, System.Text.Json.Nodes.JsonObject undo, CancellationToken cancellationToken)
        {
            var marker = undo["marker"]!.GetValue<string>();
            File.WriteAllText(marker, "on");
            return ValueTask.FromResult<IAsyncDisposable?>(new Handle(() => MarkerPresentAtRelease.Add(File.Exists(marker))));
        }

        protected internal override ValueTask RevertAsync(System.Text.Json.Nodes.JsonObject undo, RevertContext context, CancellationToken cancellationToken)
        {
            File.Delete(undo["marker"]!.GetValue<string>());
            return ValueTask.CompletedTask;
        }

        private sealed class Handle(Action release) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                release();
                return ValueTask.CompletedTask;
            }
        }
    }

    [Fact]
    public async Task RemoveFaultAsync_ConcurrentWithExpiry_RevertsOnce()
    {
        var id = await _engine.Manager.InjectFaultAsync("recording", Target, duration: TimeSpan.FromSeconds(5), cancellationToken: TestContext.Current.CancellationToken);

        var manual = _engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(5));
        var again = _engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        await Task.WhenAll(manual, again);
        await Poll.UntilAsync(() => _engine.Manager.ActiveFaults.Count == 0, TimeSpan.FromSeconds(5), "removal");

        Assert.Equal(1, _injector.Reverts);
        Assert.False(await _engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task EmergencyStopAsync_ManyFaults_RemovesAllInOneGo()
    {
        for (var i = 0; i < 50; i++)
        {
            await _engine.Manager.InjectFaultAsync("recording", Target, cancellationToken: TestContext.Current.CancellationToken);
        }

        using var events = _engine.Manager.Events.Subscribe();
        var removed = await _engine.Manager.EmergencyStopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(50, removed);
        Assert.Empty(_engine.Manager.ActiveFaults);
        Assert.Empty(Directory.GetFiles(_markers.Path));
        Assert.Empty(await _engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
        var published = new List<ChaosEvent>();
        while (events.Reader.TryRead(out var e))
        {
            published.Add(e);
        }

        Assert.Equal(50, published.OfType<FaultRemovedEvent>().Count(e => e.Reason == RemovalReason.EmergencyStop));
        Assert.Equal(50, Assert.Single(published.OfType<EmergencyStopEvent>()).FaultsRemoved);
    }

    [Fact]
    public async Task DisposeAsync_WithActiveFaults_RemovesThem()
    {
        var engine = Engine(new ChaosConfiguration());
        var id = await engine.Manager.InjectFaultAsync("recording", Target, cancellationToken: TestContext.Current.CancellationToken);

        await engine.Manager.DisposeAsync();

        Assert.False(File.Exists(RecordingInjector.MarkerFor(_markers.Path, id)));
        Assert.Equal("Shutdown", (await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken))!.RemovalReason);
        await engine.DisposeAsync();
    }
}
