using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Targets;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.CrashSafety;

/// <summary>
/// The engine is SIGKILLed while it holds one fault of every kind; the next process to open the
/// store must leave no trace of any of them within 5 s.
/// </summary>
public sealed class EngineKillTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _fill = new();
    private readonly List<IDisposable> _cleanup = [];

    public void Dispose()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            _cleanup[i].Dispose();
        }

        _fill.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task SigkillWithEveryFaultKind_NextOpenRevertsAllWithinFiveSeconds()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(1024);
        _cleanup.Add(listener);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var paused = Track(TestProcess.Sleeper());
        var frozen = Track(TestProcess.Sleeper());
        var confined = Track(TestProcess.Sleeper());
        var crashed = Track(TestProcess.Sleeper());
        var loaded = Track(TestProcess.Sleeper());
        var originalCgroups = ProcFs.ReadCgroups(confined.Pid);
        var originalFrozen = ProcFs.ReadCgroups(frozen.Pid)["freezer"];

        var faults = new List<string[]>
        {
            new[] { "service_pause", $"pid:{paused.Pid}" },
            new[] { "service_crash", $"pid:{crashed.Pid}" },
            new[] { "cpu_stress", $"pid:{loaded.Pid}", "--param", "load_percent=20" },
            new[] { "memory_leak", $"pid:{loaded.Pid}", "--param", "max_mb=32", "--param", "rate_mb_per_s=64" },
            new[] { "disk_fill", $"pid:{loaded.Pid}", "--param", $"path={_fill.Path}", "--param", "size_mb=64" },
            new[] { "connection_exhaustion", $"pid:{loaded.Pid}", "--param", $"port={port}", "--param", "connections=20" },
        };
        if (Requires.IsRoot || Requires.InCi)
        {
            Requires.CgroupV1("freezer");
            faults.Add(["service_pause", $"pid:{frozen.Pid}", "--param", "method=freezer"]);
            faults.Add(["cpu_throttle", $"pid:{confined.Pid}", "--param", "cpu_percent=10"]);
            faults.Add(["memory_limit", $"pid:{confined.Pid}", "--param", "limit_mb=64"]);
            faults.Add(["io_delay", $"pid:{confined.Pid}", "--param", $"path={_fill.Path}"]);
        }

        var engines = faults.Select(f => Track(EngineProcess.Start(_data.Path, ["inject", f[0], "--target", .. f[1..], "--duration", "120s", "--output", "json"]))).ToList();
        var active = await Poll.UntilAsync(() => OpenEntries(), e => e.Count(x => x.State == FaultState.Active) == faults.Count, TimeSpan.FromSeconds(30), $"{faults.Count} active faults");
        Assert.Equal('T', paused.State);
        var helpers = active.Select(e => JsonNode.Parse(e.UndoJson)!["helper"]?.GetValue<string>()).OfType<string>().Select(ProcessIdentity.Parse).ToList();
        Assert.Equal(3, helpers.Count);
        Assert.All(helpers, h => Assert.True(h.IsAlive));
        Assert.Single(Directory.GetFiles(_fill.Path));

        engines.ForEach(e => e.Kill());
        await Poll.UntilAsync(() => engines.All(e => e.HasExited), TimeSpan.FromSeconds(5), "every engine dead");

        // Helpers die with their engine on their own: their lifeline is cut.
        await Poll.UntilAsync(() => helpers.All(h => !h.IsAlive), TimeSpan.FromSeconds(5), "helpers to die with the engine");

        var started = TimeProvider.System.GetTimestamp();
        await using (var store = ChaosStore.Open(_data.Path))
        {
            var configuration = new ChaosConfiguration();
            await using var manager = new FaultInjectionManager(configuration, new FaultJournal(store), new TargetResolver(configuration));
            Assert.Equal(faults.Count, await manager.InitializeAsync(TestContext.Current.CancellationToken));
        }

        await Poll.UntilAsync(() => paused.State == 'S', TimeSpan.FromSeconds(5), "the paused target running again");
        Assert.Empty(Directory.GetFiles(_fill.Path));
        Assert.Equal(0, ProcFs.CountEstablishedTo(port));
        if (faults.Count > 6)
        {
            await Poll.UntilAsync(() => frozen.State == 'S', TimeSpan.FromSeconds(5), "the frozen target thawed");
            Assert.Equal(originalFrozen, ProcFs.ReadCgroups(frozen.Pid)["freezer"]);
            var now = ProcFs.ReadCgroups(confined.Pid);
            Assert.Equal(originalCgroups["cpu"], now["cpu"]);
            Assert.Equal(originalCgroups["memory"], now["memory"]);
            Assert.Equal(originalCgroups["blkio"], now["blkio"]);
            Assert.Empty(Directory.GetDirectories("/sys/fs/cgroup/cpu" + (now["cpu"] == "/" ? string.Empty : now["cpu"]), "bev-chaos-*"));
        }

        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
        Assert.Empty(OpenEntries());
        Assert.All(RecentEntries(), e => Assert.Equal("Reconciled", e.RemovalReason));
    }

    [Fact]
    public async Task SecondProcess_LeavesALiveEnginesFaultsAlone()
    {
        var paused = Track(TestProcess.Sleeper());
        var engine = Track(EngineProcess.Start(_data.Path, "inject", "service_pause", "--target", $"pid:{paused.Pid}", "--duration", "60s", "--output", "json"));
        await Poll.UntilAsync(() => OpenEntries().Count(e => e.State == FaultState.Active) == 1, TimeSpan.FromSeconds(20), "the fault active");

        await using (var store = ChaosStore.Open(_data.Path))
        {
            var configuration = new ChaosConfiguration();
            await using var manager = new FaultInjectionManager(configuration, new FaultJournal(store), new TargetResolver(configuration));
            Assert.Equal(0, await manager.InitializeAsync(TestContext.Current.CancellationToken));
        }

        Assert.Equal('T', paused.State);
        Assert.Single(OpenEntries());
        Assert.False(engine.HasExited);
    }

    [Fact]
    public async Task EmergencyStopFromAnotherProcess_RemovesFaultAndForegroundEngineExits()
    {
        var paused = Track(TestProcess.Sleeper());
        var engine = Track(EngineProcess.Start(_data.Path, "inject", "service_pause", "--target", $"pid:{paused.Pid}", "--duration", "60s", "--output", "json"));
        await Poll.UntilAsync(() => OpenEntries().Count(e => e.State == FaultState.Active) == 1, TimeSpan.FromSeconds(20), "the fault active");

        using var stop = EngineProcess.Start(_data.Path, "emergency-stop", "--output", "json");
        await Poll.UntilAsync(() => stop.HasExited, TimeSpan.FromSeconds(20), "emergency-stop to finish");

        Assert.True(paused.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
        Assert.Empty(OpenEntries());
        await Poll.UntilAsync(() => engine.HasExited, TimeSpan.FromSeconds(5), "the foreground inject to notice and exit");
    }

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _cleanup.Add(disposable);
        return disposable;
    }

    private IReadOnlyList<JournalEntry> OpenEntries()
    {
        using var store = ChaosStore.Open(_data.Path);
        return new FaultJournal(store).ListOpenAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private IReadOnlyList<JournalEntry> RecentEntries()
    {
        using var store = ChaosStore.Open(_data.Path);
        return new FaultJournal(store).ListRecentAsync(100, CancellationToken.None).GetAwaiter().GetResult();
    }
}
