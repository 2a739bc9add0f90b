using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Safety;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Experiments;

/// <summary>Experiments end to end against a real supervised HTTP service.</summary>
public sealed class ChaosEngineerTests
{
    private static ExperimentConfig Experiment(ExperimentFixture f, string injector, TimeSpan duration, IReadOnlyDictionary<string, object?>? parameters = null, SafetyLevel level = SafetyLevel.Medium) => new()
    {
        Name = injector + "-experiment",
        SafetyLevel = level,
        TargetServices = ["web"],
        FaultInjections = [new FaultInjectionSpec { InjectorName = injector, TargetService = "web", Duration = duration, Parameters = parameters ?? new Dictionary<string, object?>() }],
        SteadyStateProbes = [f.Health],
        ProbeInterval = TimeSpan.FromMilliseconds(100),
        BaselineDuration = TimeSpan.FromSeconds(1),
        RecoveryWindow = TimeSpan.FromSeconds(10),
        ValidationDuration = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public async Task HttpAbort_ResultCountsTheRequestsItMatchedAndAffected()
    {
        var tolerant = new SafetySettings { SafetyMonitoringInterval = TimeSpan.FromMilliseconds(200), MaxErrorRate = 100, MaxCpuUsage = 100, MaxMemoryUsage = 100 };
        await using var f = new ExperimentFixture(tolerant, httpProxy: true);
        await f.WaitHealthyAsync();
        var config = Experiment(f, "http_abort", TimeSpan.FromSeconds(2), new Dictionary<string, object?> { ["path"] = "/health", ["toxicity"] = 0.5, ["seed"] = 7 }) with { SteadyStateProbes = [f.ProxiedHealth] };

        var result = await f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);

        var fault = Assert.Single(result.Faults);
        var counts = fault.Measurements ?? throw new Xunit.Sdk.XunitException("no measurements on the http_abort fault");
        var failed = result.ProbeResults.Count(p => !p.Success && p.Time >= fault.InjectedAt && p.Time <= fault.RemovedAt);

        // Every probe during the fault went through it; about half were answered 503 by the proxy, and
        // the probes saw those (give or take one in flight at each end of the fault's span).
        Assert.InRange(counts["matched"], 8, 40);
        Assert.InRange(counts["affected"], 1, counts["matched"] - 1);
        Assert.InRange(failed, counts["affected"] - 2, counts["affected"] + 2);
        Assert.Empty(f.Faults.ActiveFaults);
    }

    [Fact]
    public async Task Crash_SupervisorRestarts_EveryPhaseRecordedAndRecoveryMatchesTheRealRestart()
    {
        // The outage is the point here: the error-rate guard must not abort it.
        var tolerant = new SafetySettings { SafetyMonitoringInterval = TimeSpan.FromMilliseconds(200), MaxErrorRate = 100, MaxCpuUsage = 100, MaxMemoryUsage = 100 };
        await using var f = new ExperimentFixture(tolerant, restartDelay: TimeSpan.FromSeconds(1));
        await f.WaitHealthyAsync();

        var result = await f.Engineer.RunExperimentAsync(Experiment(f, "service_crash", TimeSpan.FromSeconds(3)), TestContext.Current.CancellationToken);

        Assert.True(result.Verdict == ExperimentVerdict.Passed, string.Join("; ", result.Reasons));
        Assert.Equal([ExperimentStatus.Baseline, ExperimentStatus.Injection, ExperimentStatus.Recovery, ExperimentStatus.Validation], result.Phases.Select(p => p.Phase));
        var crash = Assert.Single(result.Faults);
        Assert.NotNull(crash.RemovedAt);
        var state = f.Supervisor.GetState("web")!;
        Assert.Equal(1, state.Restarts);

        // The outage the probes saw equals the real one (exit → restart → listening) to within one probe interval.
        var outage = state.LastRestart!.Value - state.LastExit!.Value;
        Assert.NotNull(result.Outage);
        Assert.InRange(result.Outage!.Value.TotalMilliseconds, outage.TotalMilliseconds - 150, outage.TotalMilliseconds + 400);

        // The supervisor brought it back before the fault's removal: healthy at the first rounds after it.
        Assert.NotNull(result.TimeToRecover);
        Assert.InRange(result.TimeToRecover!.Value.TotalMilliseconds, 0, 400);
        Assert.True(result.RolledBack);
        Assert.Contains(result.ProbeResults, p => !p.Success);
        Assert.Empty(f.Faults.ActiveFaults);
    }

    [Fact]
    public async Task ErrorRateOverThreshold_AbortsWithinOneIntervalAndLeavesNoFault()
    {
        var safety = new SafetySettings { SafetyMonitoringInterval = TimeSpan.FromMilliseconds(300), MaxErrorRate = 20, MaxCpuUsage = 100, MaxMemoryUsage = 100 };
        await using var f = new ExperimentFixture(safety);
        await f.WaitHealthyAsync();

        var result = await f.Engineer.RunExperimentAsync(Experiment(f, "service_pause", TimeSpan.FromSeconds(30)), TestContext.Current.CancellationToken);

        Assert.Equal(ExperimentVerdict.Aborted, result.Verdict);
        Assert.Equal("max_error_rate", result.Breach!.Threshold);
        Assert.True(result.Breach.Observed > 20);
        var injected = result.Faults.Single().InjectedAt;
        Assert.InRange((result.Breach.Time - injected).TotalMilliseconds, 0, safety.SafetyMonitoringInterval.TotalMilliseconds * 2 + 350);
        Assert.Empty(f.Faults.ActiveFaults);
        Assert.Empty(await new FaultJournal(f.Store).ListOpenAsync(TestContext.Current.CancellationToken));
        Assert.True(Targets.Linux.ProcFs.TryReadStat(f.Supervisor.TryGetCurrent("web")!.Value.Pid)!.Value.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
        Assert.Contains(result.Reasons, r => r.StartsWith("safety breach: max_error_rate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EmergencyStop_DuringExperiment_AbortsRemovesAndLocksUntilReleased()
    {
        await using var f = new ExperimentFixture();
        await f.WaitHealthyAsync();
        var config = Experiment(f, "cpu_stress", TimeSpan.FromSeconds(30), new Dictionary<string, object?> { ["load_percent"] = 20 }) with { SteadyStateProbes = [] , BaselineDuration = TimeSpan.FromMilliseconds(200) };

        var running = f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => f.Faults.ActiveFaults.Count == 1, TimeSpan.FromSeconds(10), "the fault injected");
        var removed = await f.Engineer.EmergencyStopAsync(TestContext.Current.CancellationToken);
        var result = await running;

        Assert.Equal(1, removed);
        Assert.Equal(ExperimentVerdict.Aborted, result.Verdict);
        Assert.Contains(result.Reasons, r => r.Contains("emergency stop", StringComparison.Ordinal));
        Assert.Empty(f.Faults.ActiveFaults);
        var refused = await Assert.ThrowsAsync<SafetyLockException>(() => f.Faults.InjectFaultAsync("cpu_stress", "web", cancellationToken: TestContext.Current.CancellationToken));
        Assert.StartsWith("the safety lock is engaged (emergency stop, since ", refused.Message);

        await f.Engineer.ReleaseSafetyLockAsync(TestContext.Current.CancellationToken);
        var id = await f.Faults.InjectFaultAsync("cpu_stress", "web", duration: TimeSpan.FromSeconds(5), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(await f.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CriticalExperiment_WaitsForApprovalThenRuns()
    {
        await using var f = new ExperimentFixture();
        await f.WaitHealthyAsync();
        var config = Experiment(f, "service_pause", TimeSpan.FromMilliseconds(500), level: SafetyLevel.Critical) with { SteadyStateProbes = [], BaselineDuration = TimeSpan.Zero, ValidationDuration = TimeSpan.Zero };

        var running = f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);
        var run = await Poll.UntilAsync(() => f.Engineer.Running.FirstOrDefault(), r => r?.Status == ExperimentStatus.AwaitingApproval, TimeSpan.FromSeconds(5), "awaiting_approval");
        Assert.Empty(f.Faults.ActiveFaults);
        Assert.False(f.Engineer.Approve("exp-unknown"));

        Assert.True(f.Engineer.Approve(run!.Id));
        var result = await running;

        Assert.Equal(ExperimentVerdict.Passed, result.Verdict);
        Assert.Equal(ExperimentStatus.AwaitingApproval, result.Phases[0].Phase);
        Assert.Single(result.Faults);
    }

    [Fact]
    public async Task ConcurrencyLimit_SecondExperimentIsRefused()
    {
        await using var f = new ExperimentFixture(maxConcurrent: 1);
        await f.WaitHealthyAsync();
        var config = Experiment(f, "cpu_stress", TimeSpan.FromSeconds(2), new Dictionary<string, object?> { ["load_percent"] = 10 }) with { SteadyStateProbes = [] };

        var first = f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => f.Engineer.Running.Count == 1, TimeSpan.FromSeconds(5), "the first experiment running");
        var refused = await Assert.ThrowsAsync<ExperimentRefusedException>(() => f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken));

        Assert.Equal("1 experiments are running (global.max_concurrent_experiments)", refused.Message);
        Assert.Equal(ExperimentVerdict.Passed, (await first).Verdict);
    }

    [Fact]
    public async Task Interrupted_ByCaller_RollsBack()
    {
        await using var f = new ExperimentFixture();
        await f.WaitHealthyAsync();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var config = Experiment(f, "service_pause", TimeSpan.FromSeconds(30)) with { SteadyStateProbes = [], BaselineDuration = TimeSpan.Zero };

        var running = f.Engineer.RunExperimentAsync(config, cancel.Token);
        await Poll.UntilAsync(() => f.Faults.ActiveFaults.Count == 1, TimeSpan.FromSeconds(10), "the fault injected");
        await cancel.CancelAsync();
        var result = await running;

        Assert.Equal(ExperimentVerdict.Interrupted, result.Verdict);
        Assert.True(result.RolledBack);
        Assert.Empty(f.Faults.ActiveFaults);
        Assert.True(Targets.Linux.ProcFs.TryReadStat(f.Supervisor.TryGetCurrent("web")!.Value.Pid)!.Value.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
    }

    [Fact]
    public async Task InvalidExperiment_ListsEveryProblemAndRunsNothing()
    {
        await using var f = new ExperimentFixture();
        var config = new ExperimentConfig
        {
            Name = "bad",
            FaultInjections =
            [
                new FaultInjectionSpec { InjectorName = "cpu_melt", TargetService = "web" },
                new FaultInjectionSpec { InjectorName = "cpu_stress", TargetService = "nowhere", Offset = TimeSpan.FromSeconds(-1) },
            ],
            SteadyStateTolerance = 2,
        };

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken));

        Assert.Equal(
            [
                "steady_state_tolerance: '2' is not allowed; allowed: 0 to 1",
                "fault_injections[0].injector_name: 'cpu_melt' is not allowed; allowed: one of connection_exhaustion, connection_reset, cpu_stress, cpu_throttle, data_limit, disk_fill, http_abort, http_delay, http_replace, io_delay, memory_leak, memory_limit, network_bandwidth, network_delay, network_partition, network_timeout, packet_corrupt, packet_duplicate, packet_loss, packet_loss_burst, packet_reorder, postgres_delay, postgres_error, redis_delay, redis_error, service_crash, service_pause, service_restart, service_stop",
                "fault_injections[1].offset: '-1' is not allowed; allowed: 0 or more seconds",
                "fault_injections[1].target_service: 'nowhere' is not allowed; allowed: a catalog service name (catalog: web), pid:N, name:PROCESS_NAME or docker:CONTAINER",
            ],
            error.Errors.Select(e => e.ToString()));
        Assert.Empty(f.Engineer.Running);
    }

    [Fact]
    public async Task Rollbacks_AlwaysRun_AndTheirFailuresAreReasons()
    {
        await using var f = new ExperimentFixture();
        using var dir = new TempDirectory();
        var done = Path.Combine(dir.Path, "rolled-back");
        var config = Experiment(f, "cpu_stress", TimeSpan.FromMilliseconds(300), new Dictionary<string, object?> { ["load_percent"] = 5 }) with
        {
            SteadyStateProbes = [],
            BaselineDuration = TimeSpan.Zero,
            ValidationDuration = TimeSpan.Zero,
            Rollbacks =
            [
                new RollbackAction { Name = "mark", Command = ["/usr/bin/touch", done] },
                new RollbackAction { Name = "broken", Command = ["/bin/false"] },
            ],
        };

        var result = await f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);

        Assert.True(File.Exists(done));
        Assert.Contains("rollback broken failed: exit 1: ", result.Reasons);
        Assert.False(result.RolledBack);
        var json = System.Text.Json.JsonSerializer.Serialize(result, ExperimentStore.Json);
        Assert.Contains("\"rolled_back\": false", json, StringComparison.Ordinal);
        var stored = Assert.Single(await new ExperimentStore(f.Store).ListJsonAsync(10, TestContext.Current.CancellationToken));
        Assert.False(System.Text.Json.Nodes.JsonNode.Parse(stored)!["rolled_back"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Rollbacks_AllSucceed_RolledBackTrue()
    {
        await using var f = new ExperimentFixture();
        var config = Experiment(f, "cpu_stress", TimeSpan.FromMilliseconds(300), new Dictionary<string, object?> { ["load_percent"] = 5 }) with
        {
            SteadyStateProbes = [],
            BaselineDuration = TimeSpan.Zero,
            ValidationDuration = TimeSpan.Zero,
            Rollbacks = [new RollbackAction { Name = "ok", Command = ["/bin/true"] }],
        };

        var result = await f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);

        Assert.Equal(ExperimentVerdict.Passed, result.Verdict);
        Assert.True(result.RolledBack);
        Assert.Contains("\"rolled_back\": true", System.Text.Json.JsonSerializer.Serialize(result, ExperimentStore.Json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollbacks_CommandPastItsTimeout_ItsProcessAndChildAreKilled()
    {
        await using var f = new ExperimentFixture();
        using var dir = new TempDirectory();
        var pids = Path.Combine(dir.Path, "pids");
        var config = Experiment(f, "cpu_stress", TimeSpan.FromMilliseconds(300), new Dictionary<string, object?> { ["load_percent"] = 5 }) with
        {
            SteadyStateProbes = [],
            BaselineDuration = TimeSpan.Zero,
            ValidationDuration = TimeSpan.Zero,
            Rollbacks = [new RollbackAction { Name = "hangs", Command = ["/bin/sh", "-c", $"sleep 600 & echo $$ $! > {pids}; wait"], Timeout = TimeSpan.FromMilliseconds(500) }],
        };

        var result = await f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);

        Assert.False(result.RolledBack);
        Assert.Contains("rollback hangs failed: timed out after 500ms (its process tree was killed)", result.Reasons);
        var both = File.ReadAllText(pids).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2, both.Length);
        await Poll.UntilAsync(() => both.All(p => Targets.Linux.ProcFs.TryReadStat(p) is null or { State: 'Z' }), TimeSpan.FromSeconds(10), $"the shell and its sleep ({string.Join(", ", both)}) killed");
    }

    [Fact]
    public async Task MaxPercent_TouchesOnlyThatShareOfTheTargetsProcesses()
    {
        await using var f = new ExperimentFixture();
        using var group = TestProcess.Start("/bin/sh", "-c", "sleep 600 & sleep 600 & sleep 600 & wait");
        await Poll.UntilAsync(() => f.Faults.Validate("service_pause", $"pid:{group.Pid}", null, null, TimeSpan.FromSeconds(1)).Target.Processes.Count == 4, TimeSpan.FromSeconds(5), "four processes");
        var config = new ExperimentConfig
        {
            Name = "half",
            MaxPercent = 50,
            FaultInjections = [new FaultInjectionSpec { InjectorName = "service_pause", TargetService = $"pid:{group.Pid}", Duration = TimeSpan.FromSeconds(30) }],
            BaselineDuration = TimeSpan.Zero,
        };

        var running = f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => f.Faults.ActiveFaults.Count == 1, TimeSpan.FromSeconds(10), "the fault");
        var processes = f.Faults.ActiveFaults.Single().TargetProcesses;
        Assert.Equal(2, processes.Count);
        await Poll.UntilAsync(() => processes.All(p => Targets.Linux.ProcFs.TryReadStat(p.Pid)?.State == 'T'), TimeSpan.FromSeconds(2), "those two stopped");
        var all = f.Faults.Validate("service_pause", $"pid:{group.Pid}", null, null, TimeSpan.FromSeconds(1)).Target.Processes;
        Assert.Equal(2, all.Count(p => Targets.Linux.ProcFs.TryReadStat(p.Pid)?.State == 'S'));

        f.Engineer.Stop(f.Engineer.Running.Single().Id);
        Assert.Equal(ExperimentVerdict.Aborted, (await running).Verdict);
    }
}
