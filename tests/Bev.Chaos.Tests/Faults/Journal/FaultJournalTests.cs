using System.Diagnostics;
using System.Text.Json.Nodes;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Targets;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests.Faults.Journal;

/// <summary>The journal across processes: orphans of dead engines are reverted, live engines' faults are not.</summary>
public sealed class FaultJournalTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _markers = new();

    public void Dispose()
    {
        _data.Dispose();
        _markers.Dispose();
    }

    [Fact]
    public async Task InitializeAsync_FaultOfDeadEngine_IsRevertedAndMarkedReconciled()
    {
        var dead = DeadProcessIdentity();
        var marker = RecordingInjector.MarkerFor(_markers.Path, "orphan-1");
        await File.WriteAllTextAsync(marker, "left behind", TestContext.Current.CancellationToken);
        await WriteEntryAsync("orphan-1", marker, dead, FaultState.Active);

        await using var store = ChaosStore.Open(_data.Path);
        await using var manager = Manager(store);
        var reverted = await manager.InitializeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, reverted);
        Assert.False(File.Exists(marker));
        var entry = await new FaultJournal(store).GetAsync("orphan-1", TestContext.Current.CancellationToken);
        Assert.Equal(FaultState.Removed, entry!.State);
        Assert.Equal("Reconciled", entry.RemovalReason);
    }

    [Fact]
    public async Task InitializeAsync_FaultLeftInjecting_IsRevertedToo()
    {
        var marker = RecordingInjector.MarkerFor(_markers.Path, "half-1");
        await File.WriteAllTextAsync(marker, "half applied", TestContext.Current.CancellationToken);
        await WriteEntryAsync("half-1", marker, DeadProcessIdentity(), FaultState.Injecting);

        await using var store = ChaosStore.Open(_data.Path);
        await using var manager = Manager(store);

        Assert.Equal(1, await manager.InitializeAsync(TestContext.Current.CancellationToken));
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task InitializeAsync_FaultOfLiveEngine_IsLeftAlone()
    {
        using var liveEngine = TestProcess.Sleeper();
        var owner = ProcessIdentity.TryRead(liveEngine.Pid)!.Value;
        var marker = RecordingInjector.MarkerFor(_markers.Path, "live-1");
        await File.WriteAllTextAsync(marker, "in effect", TestContext.Current.CancellationToken);
        await WriteEntryAsync("live-1", marker, owner, FaultState.Active);

        await using var store = ChaosStore.Open(_data.Path);
        await using var manager = Manager(store);

        Assert.Equal(0, await manager.InitializeAsync(TestContext.Current.CancellationToken));
        Assert.True(File.Exists(marker));
        Assert.Equal(FaultState.Active, (await new FaultJournal(store).GetAsync("live-1", TestContext.Current.CancellationToken))!.State);
    }

    [Fact]
    public async Task UpdateAsync_ClosedFault_IsNeverReopenedButStillClosable()
    {
        // An apply that finishes after an emergency stop closed its entry must not make it active again.
        await WriteEntryAsync("late-1", "unused", DeadProcessIdentity(), FaultState.Injecting);
        await using var store = ChaosStore.Open(_data.Path);
        var journal = new FaultJournal(store);
        var now = TimeProvider.System.GetUtcNow();

        await journal.UpdateAsync(["late-1"], FaultState.Removed, now, removalReason: "EmergencyStop", cancellationToken: TestContext.Current.CancellationToken);
        await journal.UpdateAsync(["late-1"], FaultState.Active, now, undoJson: "{}", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(FaultState.Removed, (await journal.GetAsync("late-1", TestContext.Current.CancellationToken))!.State);

        await journal.UpdateAsync(["late-1"], FaultState.Failed, now, error: "revert failed", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(FaultState.Failed, (await journal.GetAsync("late-1", TestContext.Current.CancellationToken))!.State);
        Assert.DoesNotContain(await journal.ListOpenAsync(TestContext.Current.CancellationToken), entry => entry.FaultId == "late-1");
    }

    [Fact]
    public async Task RemoveFaultAsync_FromAnotherManager_RevertsAndOwnerForgetsIt()
    {
        using var target = TestProcess.Sleeper();
        await using var ownerStore = ChaosStore.Open(_data.Path);
        await using var owner = Manager(ownerStore);
        var id = await owner.InjectFaultAsync("recording", $"pid:{target.Pid}", cancellationToken: TestContext.Current.CancellationToken);

        await using (var otherStore = ChaosStore.Open(_data.Path))
        {
            await using var other = Manager(otherStore);
            Assert.True(await other.RemoveFaultAsync(id, TestContext.Current.CancellationToken));
        }

        Assert.False(File.Exists(RecordingInjector.MarkerFor(_markers.Path, id)));
        await owner.SyncWithJournalAsync(TestContext.Current.CancellationToken);
        Assert.Empty(owner.ActiveFaults);
    }

    [Fact]
    public async Task Store_ReopenedAfterWrites_KeepsEverything()
    {
        var marker = RecordingInjector.MarkerFor(_markers.Path, "kept-1");
        await WriteEntryAsync("kept-1", marker, ProcessIdentity.Current, FaultState.Active);

        await using var store = ChaosStore.Open(_data.Path);
        var entry = await new FaultJournal(store).GetAsync("kept-1", TestContext.Current.CancellationToken);

        Assert.NotNull(entry);
        Assert.Equal(ProcessIdentity.Current, entry.Owner);
        Assert.Equal("recording", entry.Injector);
        Assert.Contains(marker, entry.UndoJson);
    }

    private FaultInjectionManager Manager(ChaosStore store)
    {
        var configuration = new ChaosConfiguration();
        return new FaultInjectionManager(configuration, new FaultJournal(store), new TargetResolver(configuration), [new RecordingInjector(_markers.Path)]);
    }

    [Fact]
    public async Task ReadSummaryAsync_SeesEveryCommit_ThoughAnUnchangedStoreIsNotQueriedAgain()
    {
        await using var store = ChaosStore.Open(_data.Path);
        var journal = new FaultJournal(store);
        async Task<StoreSummary[]> ReadManyAsync() =>
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => journal.ReadSummaryAsync(TestContext.Current.CancellationToken))));

        // Every read connection of the pool has a summary cached at this version …
        Assert.All(await ReadManyAsync(), s => Assert.Equal((0, (string?)null), (s.OpenFaults, s.LockReason)));

        // … and a commit by another store on the file (another process's, as far as SQLite knows) shows at once.
        using var owner = TestProcess.Sleeper();
        await WriteEntryAsync("open-1", "unused", ProcessIdentity.TryRead(owner.Pid)!.Value, FaultState.Active);
        Assert.All(await ReadManyAsync(), s => Assert.Equal(1, s.OpenFaults));

        // So does one of this store's own writer.
        await new Bev.Chaos.Safety.SafetyLock(store, TimeProvider.System).EngageAsync("test", TestContext.Current.CancellationToken);
        Assert.All(await ReadManyAsync(), s => Assert.Equal((1, "test"), (s.OpenFaults, s.LockReason)));
    }

    [Fact]
    public async Task CountOpen_ReadsTheStoreWithoutOpeningIt_AndIsZeroWithoutOne()
    {
        using var empty = new TempDirectory();
        Assert.Equal(0, FaultJournal.CountOpen(empty.Path));
        Assert.False(File.Exists(Path.Combine(empty.Path, "chaos.db")), "counting must not create a store");

        using var owner = TestProcess.Sleeper();
        await WriteEntryAsync("open-1", "unused", ProcessIdentity.TryRead(owner.Pid)!.Value, FaultState.Active);
        await WriteEntryAsync("gone-1", "unused", ProcessIdentity.TryRead(owner.Pid)!.Value, FaultState.Removed);

        Assert.Equal(1, FaultJournal.CountOpen(_data.Path));
    }

    [Fact]
    public async Task Copies_FollowTheOpenEntries_AndRestoreWhatALostStoreForgot()
    {
        using var owner = TestProcess.Sleeper();
        await WriteEntryAsync("open-1", "first", ProcessIdentity.TryRead(owner.Pid)!.Value, FaultState.Injecting);
        await WriteEntryAsync("gone-1", "unused", ProcessIdentity.TryRead(owner.Pid)!.Value, FaultState.Removed);
        var copies = Path.Combine(_data.Path, "run", "faults");
        Assert.Equal(["open-1.json"], Directory.GetFiles(copies).Select(Path.GetFileName));
        await using (var store = ChaosStore.Open(_data.Path))
        {
            await new FaultJournal(store).UpdateAsync(["open-1"], FaultState.Active, TimeProvider.System.GetUtcNow(), new JsonObject { ["marker"] = "applied" }.ToJsonString(), cancellationToken: TestContext.Current.CancellationToken);
        }

        foreach (var file in Directory.GetFiles(_data.Path, "chaos.db*"))
        {
            File.Delete(file);
        }

        await using (var store = ChaosStore.Open(_data.Path))
        {
            var journal = new FaultJournal(store);
            var restored = Assert.Single(await journal.RestoreLostAsync(TestContext.Current.CancellationToken));
            Assert.Equal(("open-1", FaultState.Active), (restored.FaultId, restored.State));
            Assert.Contains("applied", (await journal.GetAsync("open-1", TestContext.Current.CancellationToken))!.UndoJson, StringComparison.Ordinal);
            Assert.Empty(await journal.RestoreLostAsync(TestContext.Current.CancellationToken));

            await journal.UpdateAsync(["open-1"], FaultState.Removed, TimeProvider.System.GetUtcNow(), cancellationToken: TestContext.Current.CancellationToken);
            Assert.Empty(Directory.GetFiles(copies));
        }
    }

    [Fact]
    public async Task RestoreLostAsync_CopiesThatAreNoWholeEntry_AreSkippedAndTheGoodOneRestored()
    {
        using var owner = TestProcess.Sleeper();
        await WriteEntryAsync("open-1", "first", ProcessIdentity.TryRead(owner.Pid)!.Value, FaultState.Active);
        var copies = Path.Combine(_data.Path, "run", "faults");
        File.WriteAllText(Path.Combine(copies, "empty-1.json"), "{}");
        File.WriteAllText(Path.Combine(copies, "null-1.json"), "null");
        File.WriteAllText(Path.Combine(copies, "garbage-1.json"), "not json at all");
        File.WriteAllText(Path.Combine(copies, "state-1.json"), File.ReadAllText(Path.Combine(copies, "open-1.json")).Replace("\"FaultId\":\"open-1\"", "\"FaultId\":\"state-1\"", StringComparison.Ordinal).Replace("\"State\":1", "\"State\":99", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(copies, "renamed-1.json"), File.ReadAllText(Path.Combine(copies, "open-1.json")));
        // Parameters that are no JSON would be written raw into GET /faults: such a copy is no whole entry.
        File.WriteAllText(Path.Combine(copies, "params-1.json"), File.ReadAllText(Path.Combine(copies, "open-1.json")).Replace("\"FaultId\":\"open-1\"", "\"FaultId\":\"params-1\"", StringComparison.Ordinal).Replace("\"ParametersJson\":\"", "\"ParametersJson\":\"x", StringComparison.Ordinal));
        File.CreateSymbolicLink(Path.Combine(copies, "link-1.json"), "/dev/zero");
        foreach (var file in Directory.GetFiles(_data.Path, "chaos.db*"))
        {
            File.Delete(file);
        }

        await using var store = ChaosStore.Open(_data.Path);
        var restored = await new FaultJournal(store).RestoreLostAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["open-1"], restored.Select(e => e.FaultId));
        await new FaultJournal(store).UpdateAsync(["open-1"], FaultState.Removed, TimeProvider.System.GetUtcNow(), cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Open_AStoreThatCannotBeOpened_IsNotCalledDamaged()
    {
        Directory.CreateDirectory(Path.Combine(_data.Path, "chaos.db"));

        var error = Assert.Throws<InvalidOperationException>(() => ChaosStore.Open(_data.Path));

        Assert.StartsWith($"the store {Path.Combine(_data.Path, "chaos.db")} cannot be opened now: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Move it aside", error.Message, StringComparison.Ordinal);
    }

    private async Task WriteEntryAsync(string id, string marker, ProcessIdentity owner, FaultState state)
    {
        await using var store = ChaosStore.Open(_data.Path);
        var now = TimeProvider.System.GetUtcNow();
        await new FaultJournal(store).AppendAsync(
            new JournalEntry(id, "recording", "pid:1", null, "{}", state, new JsonObject { ["marker"] = marker }.ToJsonString(), owner, now, now.AddMinutes(1), now, null, null),
            TestContext.Current.CancellationToken);
    }

    private static ProcessIdentity DeadProcessIdentity()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "read line"]) { RedirectStandardInput = true })!;
        var identity = ProcessIdentity.TryRead(process.Id)!.Value;
        process.StandardInput.Close();
        process.WaitForExit();
        Assert.False(identity.IsAlive);
        return identity;
    }
}
