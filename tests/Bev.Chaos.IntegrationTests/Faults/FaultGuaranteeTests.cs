using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Helpers;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Safety;
using Bev.Chaos.Targets;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults;

/// <summary>
/// What a fault promises stays true under races: an emergency stop is a barrier for injections
/// in flight (in this engine and from another process), two faults that would undo each other
/// never both say active, and the engine's own helpers are no targets.
/// </summary>
public sealed class FaultGuaranteeTests
{
    private const int Injectors = 8;

    [Fact]
    public async Task EmergencyStop_EightPausesInFlight_TwentyRounds_NoFaultAndNoStoppedTargetWhenItAnswers()
    {
        await using var engine = new LockedEngine();
        for (var round = 0; round < 20; round++)
        {
            await RaceAsync(engine, engine, $"round {round}");
        }
    }

    [Fact]
    public async Task EmergencyStop_FromAnotherEngineOnTheStore_WhilePausesAreInFlight_LeavesNoneActive()
    {
        await using var engine = new LockedEngine();
        await using var other = new LockedEngine(engine.DataDirectory);
        for (var round = 0; round < 10; round++)
        {
            await RaceAsync(engine, other, $"round {round}, the other engine's stop");
        }
    }

    // Eight pauses injected through `injecting` and an emergency stop through `stopping`, all let
    // go at once, so that the stop lands among them: some before, some during, some after. Within
    // one engine nothing may be held when the stop answers; across engines, once every injection
    // has answered too.
    private static async Task RaceAsync(LockedEngine injecting, LockedEngine stopping, string round)
    {
        var targets = Enumerable.Range(0, Injectors).Select(_ => TestProcess.Sleeper()).ToList();
        try
        {
            using var go = new ManualResetEventSlim();
            var injects = targets.Select(t => Task.Run(async () =>
            {
                go.Wait(TestContext.Current.CancellationToken);
                return await TryPauseAsync(injecting.Manager, t);
            })).ToList();
            var stop = Task.Run(async () =>
            {
                go.Wait(TestContext.Current.CancellationToken);
                await Task.Yield();
                return await stopping.Manager.EmergencyStopAsync(TestContext.Current.CancellationToken);
            });
            go.Set();
            await stop;
            if (ReferenceEquals(injecting, stopping))
            {
                await AssertNothingHeldAsync(injecting, targets, $"{round}, as the stop answered");
            }

            var outcomes = await Task.WhenAll(injects);
            var when = $"{round}, after every injection returned ({string.Join(", ", outcomes)})";
            if (!ReferenceEquals(injecting, stopping))
            {
                // The other engine reverted from the journal; this one drops the closed faults from its
                // own list at its next journal sync (once a second). The journal and the targets must hold now.
                await AssertJournalAndTargetsClearAsync(injecting, targets, when);
                await Poll.UntilAsync(() => injecting.Manager.ActiveFaults.Count == 0, TimeSpan.FromSeconds(10), $"{when}: the journal sync to drop the other engine's removals");
            }

            await AssertNothingHeldAsync(injecting, targets, when);
            await stopping.Lock.ReleaseAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            targets.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task ServicePause_SecondOnTheSameTarget_IsRefusedNamingTheFirst_AndTheTargetResumesOnlyWhenTheFirstGoes()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();
        var first = await engine.Manager.InjectFaultAsync("service_pause", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() =>
            engine.Manager.InjectFaultAsync("service_pause", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith($"target_service: 'pid:{target.Pid}' is not allowed; allowed: a target without an active service_pause: fault {first} holds it until ", error.Message);
        Assert.Equal([first], (await engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken)).Select(e => e.FaultId));
        Assert.Equal('T', target.State);

        await engine.Manager.RemoveFaultAsync(first, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => target.State != 'T', TimeSpan.FromSeconds(5), "the target to resume");
        var again = await engine.Manager.InjectFaultAsync("service_pause", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal('T', target.State);
        await engine.Manager.RemoveFaultAsync(again, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ServicePause_TheSameProcessUnderAnotherName_FromAnotherEngine_IsRefused()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new LockedEngine();
        var catalog = new ChaosConfiguration { Targets = new Dictionary<string, TargetDefinition> { ["sleeper"] = new() { Name = "sleeper", Pid = target.Pid } } };
        await using var other = new LockedEngine(engine.DataDirectory, catalog);
        var first = await engine.Manager.InjectFaultAsync("service_pause", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() =>
            other.Manager.InjectFaultAsync("service_pause", "sleeper", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains($"fault {first} holds it until ", error.Message, StringComparison.Ordinal);
        Assert.Equal('T', target.State);
        await engine.Manager.RemoveFaultAsync(first, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => target.State != 'T', TimeSpan.FromSeconds(5), "the target to resume");
        var second = await other.Manager.InjectFaultAsync("service_pause", "sleeper", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal('T', target.State);
        await other.Manager.RemoveFaultAsync(second, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ServicePause_ConcurrentOnOneTarget_ExactlyOneHoldsIt()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Injectors).Select(_ => Task.Run(async () =>
        {
            try
            {
                return await engine.Manager.InjectFaultAsync("service_pause", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
            }
            catch (ChaosValidationException)
            {
                return null;
            }
        })));

        var held = Assert.Single(outcomes, o => o is not null);
        Assert.Equal([held], (await engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken)).Select(e => e.FaultId));
        await engine.Manager.RemoveFaultAsync(held!, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => target.State != 'T', TimeSpan.FromSeconds(5), "the target to resume");
    }

    [Fact]
    public async Task Target_AnEffectHelper_IsRefused()
    {
        var helper = await HelperProcess.StartAsync("cpu", new Dictionary<string, string> { ["workers"] = "1", ["load"] = "5" }, TimeSpan.FromSeconds(30), null, TestContext.Current.CancellationToken);
        try
        {
            await using var engine = new EngineFixture();

            var error = await Assert.ThrowsAsync<ChaosValidationException>(() =>
                engine.Manager.InjectFaultAsync("service_pause", $"pid:{helper.Identity.Pid}", duration: TimeSpan.FromSeconds(5), cancellationToken: TestContext.Current.CancellationToken));

            Assert.Contains($"is one of its effect helpers", error.Message, StringComparison.Ordinal);
            Assert.NotEqual('T', Bev.Chaos.Targets.Linux.ProcFs.TryReadStat(helper.Identity.Pid)?.State);
        }
        finally
        {
            await helper.DisposeAsync();
        }
    }

    [Fact]
    public async Task CpuStress_HelperKilled_FaultIsMarkedEffectLostWithAnEvent()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();
        using var events = engine.Manager.Events.Subscribe();
        var id = await engine.Manager.InjectFaultAsync("cpu_stress", $"pid:{target.Pid}", parameters: new Dictionary<string, object?> { ["load_percent"] = 10 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var helper = Bev.Chaos.Targets.Linux.ProcessIdentity.Parse(System.Text.Json.Nodes.JsonNode.Parse((await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken))!.UndoJson)!["helper"]!.GetValue<string>());
        Assert.Null((await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken))!.Error);

        Bev.Chaos.Targets.Linux.LibC.TrySignal(helper.Pid, Bev.Chaos.Targets.Linux.LibC.SIGKILL);

        await Poll.UntilAsync(async () => (await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken))?.Error is not null, TimeSpan.FromSeconds(10), "the fault marked");
        var entry = await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal((FaultState.Active, $"effect lost: its helper process {helper.Pid} is gone"), (entry!.State, entry.Error));
        var lost = await NextAsync<Bev.Chaos.Events.FaultEffectLostEvent>(events);
        Assert.Equal((id, $"its helper process {helper.Pid} is gone"), (lost.FaultId, lost.Reason));
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ServicePause_TargetResumedBehindItsBack_FaultIsMarkedEffectLost()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();
        var id = await engine.Manager.InjectFaultAsync("service_pause", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Bev.Chaos.Targets.Linux.LibC.TrySignal(target.Pid, Bev.Chaos.Targets.Linux.LibC.SIGCONT);

        await Poll.UntilAsync(async () => (await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken))?.Error is not null, TimeSpan.FromSeconds(10), "the fault marked");
        var entry = await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal((FaultState.Active, $"effect lost: its target runs again (pid {target.Pid} is no longer stopped)"), (entry!.State, entry.Error));
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task CpuThrottle_TargetMovedOutOfItsCgroup_FaultIsMarkedEffectLost()
    {
        Requires.CgroupV1("cpu");
        using var target = TestProcess.Sleeper();
        var before = ProcFs.ReadCgroups(target.Pid)["cpu"];
        await using var engine = new EngineFixture();
        var id = await engine.Manager.InjectFaultAsync("cpu_throttle", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var child = ProcFs.ReadCgroups(target.Pid)["cpu"];

        File.WriteAllText($"/sys/fs/cgroup/cpu{before}/cgroup.procs", target.Pid.ToString(CultureInfo.InvariantCulture));

        await AssertMarkedAsync(engine, id, $"its target left the fault's cgroup {child} (pid {target.Pid} was moved out)");
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/cpu{child}"));
    }

    [Fact]
    public async Task CpuThrottle_SecondOnTheSameTarget_IsRefused_TheFirstKeepsHoldingIt()
    {
        Requires.CgroupV1("cpu");
        using var target = TestProcess.Sleeper();
        var before = ProcFs.ReadCgroups(target.Pid)["cpu"];
        await using var engine = new EngineFixture();
        var first = await engine.Manager.InjectFaultAsync("cpu_throttle", $"pid:{target.Pid}", parameters: new Dictionary<string, object?> { ["cpu_percent"] = 50 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var child = ProcFs.ReadCgroups(target.Pid)["cpu"];

        // A second limit would move the target out from under the first (and its removal back into nothing).
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() =>
            engine.Manager.InjectFaultAsync("cpu_throttle", $"pid:{target.Pid}", parameters: new Dictionary<string, object?> { ["cpu_percent"] = 10 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains(first, error.Message, StringComparison.Ordinal);
        Assert.Equal([first], (await engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken)).Select(e => e.FaultId));
        Assert.Equal(child, ProcFs.ReadCgroups(target.Pid)["cpu"]);
        await engine.Manager.RemoveFaultAsync(first, TestContext.Current.CancellationToken);
        Assert.Equal(before, ProcFs.ReadCgroups(target.Pid)["cpu"]);
    }

    [Fact]
    public async Task ServicePause_FreezerThawedBehindItsBack_FaultIsMarkedEffectLost()
    {
        Requires.CgroupV1("freezer");
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();
        var id = await engine.Manager.InjectFaultAsync("service_pause", $"pid:{target.Pid}", parameters: new Dictionary<string, object?> { ["method"] = "freezer" }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var child = ProcFs.ReadCgroups(target.Pid)["freezer"];

        File.WriteAllText($"/sys/fs/cgroup/freezer{child}/freezer.state", "THAWED");

        await AssertMarkedAsync(engine, id, $"its cgroup {child} was thawed");
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/freezer{child}"));
    }

    [Fact]
    public async Task DiskFill_FillFileDeletedBehindItsBack_FaultIsMarkedEffectLost()
    {
        using var target = TestProcess.Sleeper();
        using var dir = new TempDirectory();
        await using var engine = new EngineFixture();
        var id = await engine.Manager.InjectFaultAsync("disk_fill", $"pid:{target.Pid}", parameters: new Dictionary<string, object?> { ["path"] = dir.Path, ["size_mb"] = 8 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var file = Assert.Single(Directory.GetFiles(dir.Path));

        File.Delete(file);

        await AssertMarkedAsync(engine, id, $"its fill file {file} was deleted");
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task NetworkDelay_ToxicStrippedByAToxiproxyReset_FaultIsMarkedEffectLost()
    {
        using var sleeper = TestProcess.Sleeper();
        using var server = new LoopbackHttpServer();
        var configuration = new ChaosConfiguration
        {
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["api"] = new() { Name = "api", Pid = sleeper.Pid, Proxies = new Dictionary<string, ProxyRoute> { ["http"] = new($"127.0.0.1:{LoopbackPort.Free()}", $"127.0.0.1:{server.Port}") } },
            },
        };
        using var data = new TempDirectory();
        await using var engine = await ChaosEngine.OpenAsync(configuration, data.Path, cancellationToken: TestContext.Current.CancellationToken);
        var id = await engine.Faults.InjectFaultAsync("network_delay", "api", parameters: new Dictionary<string, object?> { ["delay_ms"] = 50 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEmpty(engine.Proxies.Get("api.http").Toxics);

        engine.Proxies.Get("api.http").ResetToxics();

        await Poll.UntilAsync(async () => (await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken))?.Error is not null, TimeSpan.FromSeconds(10), "the fault marked");
        Assert.Equal($"effect lost: its toxic {id}_downstream was removed from proxy api.http (a reset or delete through the Toxiproxy API)", (await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken))!.Error);
        await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task LostStore_ACgroupAndAFillFileThatNobodyHolds_AreSweptOnTheNextStart_WhatAnotherEngineHoldsIsNot()
    {
        Requires.CgroupV1("cpu");
        using var stray = TestProcess.Sleeper();
        using var held = TestProcess.Sleeper();
        using var lostTarget = TestProcess.Sleeper();
        var parent = ProcFs.ReadCgroups(stray.Pid)["cpu"];
        var leftover = $"{(parent == "/" ? "" : parent)}/bev-chaos-cpu_throttle-{Guid.NewGuid().ToString("N")[..12]}";
        Directory.CreateDirectory($"/sys/fs/cgroup/cpu{leftover}");
        File.WriteAllText($"/sys/fs/cgroup/cpu{leftover}/cgroup.procs", stray.Pid.ToString(CultureInfo.InvariantCulture));
        using var dir = new TempDirectory();
        var fill = Path.Combine(dir.Path, $"bev-chaos-fill-disk_fill-{Guid.NewGuid().ToString("N")[..12]}.dat");
        File.WriteAllBytes(fill, new byte[4096]);
        await using var holder = new LockedEngine();
        var holding = await holder.Manager.InjectFaultAsync("cpu_throttle", $"pid:{held.Pid}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var heldCgroup = ProcFs.ReadCgroups(held.Pid)["cpu"];

        // A store that lost a fault its copy still names (a pause by an engine now dead).
        using var lost = new TempDirectory();
        var now = DateTimeOffset.UtcNow;
        var pause = new JsonObject { ["method"] = "signal", ["stopped"] = new JsonArray(ProcessIdentity.TryRead(lostTarget.Pid)!.Value.ToString()) };
        JournalCopies.BesideStore(lost.Path, Path.Combine(lost.Path, "run")).Write(new JournalEntry(
            $"service_pause-{Guid.NewGuid().ToString("N")[..12]}", "service_pause", $"pid:{lostTarget.Pid}", null, "{}", FaultState.Active, pause.ToJsonString(), DeadProcess(), now, now.AddMinutes(1), now, null, null));
        await using var restarted = new LockedEngine(lost.Path);

        Assert.Equal(1, await restarted.Manager.InitializeAsync(TestContext.Current.CancellationToken));

        Assert.False(Directory.Exists($"/sys/fs/cgroup/cpu{leftover}"), "the leftover cgroup is still there");
        Assert.Equal(parent, ProcFs.ReadCgroups(stray.Pid)["cpu"]);
        Assert.False(File.Exists(fill), "the leftover fill file is still there");
        Assert.Equal(heldCgroup, ProcFs.ReadCgroups(held.Pid)["cpu"]);
        Assert.True(Directory.Exists($"/sys/fs/cgroup/cpu{heldCgroup}"), "the other engine's throttle was swept");
        await holder.Manager.RemoveFaultAsync(holding, TestContext.Current.CancellationToken);
    }

    private static ProcessIdentity DeadProcess()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", "read line"]) { RedirectStandardInput = true })!;
        var identity = ProcessIdentity.TryRead(process.Id)!.Value;
        process.StandardInput.Close();
        process.WaitForExit();
        return identity;
    }

    private static async Task AssertMarkedAsync(EngineFixture engine, string id, string lost)
    {
        await Poll.UntilAsync(async () => (await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken))?.Error is not null, TimeSpan.FromSeconds(10), "the fault marked");
        var entry = await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal((FaultState.Active, "effect lost: " + lost), (entry!.State, entry.Error));
    }

    private static async Task<T> NextAsync<T>(Bev.Chaos.Events.ChaosEventStream.Subscription events)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await foreach (var next in events.Reader.ReadAllAsync(timeout.Token))
        {
            if (next is T wanted)
            {
                return wanted;
            }
        }

        throw new InvalidOperationException("the stream ended");
    }

    // The fault id, or why it was refused: the lock, or the stop that came while it was applied.
    private static async Task<string> TryPauseAsync(FaultInjectionManager manager, TestProcess target)
    {
        try
        {
            return await manager.InjectFaultAsync("service_pause", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);
        }
        catch (SafetyLockException)
        {
            return "refused";
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("while it was being injected", StringComparison.Ordinal))
        {
            return "reverted";
        }
    }

    private static async Task AssertNothingHeldAsync(LockedEngine engine, IReadOnlyList<TestProcess> targets, string when)
    {
        await AssertJournalAndTargetsClearAsync(engine, targets, when);
        Assert.True(engine.Manager.ActiveFaults.Count == 0, $"{when}: {engine.Manager.ActiveFaults.Count} faults live");
    }

    private static async Task AssertJournalAndTargetsClearAsync(LockedEngine engine, IReadOnlyList<TestProcess> targets, string when)
    {
        var open = await engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken);
        Assert.True(open.Count == 0, $"{when}: open faults {string.Join(", ", open.Select(e => $"{e.FaultId} {e.State}"))}");
        var stopped = targets.Where(t => t.State is 'T' or 't').Select(t => t.Pid).ToList();
        Assert.True(stopped.Count == 0, $"{when}: targets still stopped: {string.Join(", ", stopped)}");
    }

    /// <summary>An engine's fault manager with the store-held safety lock, as <c>ChaosEngine</c> composes it.</summary>
    private sealed class LockedEngine : IAsyncDisposable
    {
        private readonly TempDirectory? _directory;

        public LockedEngine(string? dataDirectory = null, ChaosConfiguration? configuration = null)
        {
            _directory = dataDirectory is null ? new TempDirectory() : null;
            DataDirectory = dataDirectory ?? _directory!.Path;
            configuration ??= new ChaosConfiguration();
            Store = ChaosStore.Open(DataDirectory);
            Journal = new FaultJournal(Store);
            Lock = new SafetyLock(Store, TimeProvider.System);
            Manager = new FaultInjectionManager(configuration, Journal, new TargetResolver(configuration, null, Store.RunDirectory), safetyLock: Lock);
        }

        public string DataDirectory { get; }

        public ChaosStore Store { get; }

        public FaultJournal Journal { get; }

        public SafetyLock Lock { get; }

        public FaultInjectionManager Manager { get; }

        public async ValueTask DisposeAsync()
        {
            await Manager.DisposeAsync();
            await Store.DisposeAsync();
            _directory?.Dispose();
        }
    }
}
