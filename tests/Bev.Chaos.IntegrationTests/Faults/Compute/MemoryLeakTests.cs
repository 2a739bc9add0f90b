using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Compute;

public sealed class MemoryLeakTests
{
    [Fact]
    public async Task Leak_GrowsResidentMemoryToCeiling_ThenFreesIt()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var id = await engine.Manager.InjectFaultAsync("memory_leak", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["rate_mb_per_s"] = 200, ["max_mb"] = 96 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var helper = await Measure.HelperOfAsync(engine.Journal, id);

        var rss = await Poll.UntilAsync(() => ProcFs.TryReadStat(helper.Pid)?.RssBytes ?? 0, r => r >= 96L * 1024 * 1024, TimeSpan.FromSeconds(5), "96 MiB resident");
        Assert.InRange(rss, 96L * 1024 * 1024, 160L * 1024 * 1024);

        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.False(helper.IsAlive);
    }

    [Fact]
    public async Task Leak_GrowsAtTheRequestedRate()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var id = await engine.Manager.InjectFaultAsync("memory_leak", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["rate_mb_per_s"] = 40, ["max_mb"] = 1000 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var helper = await Measure.HelperOfAsync(engine.Journal, id);
        var first = ProcFs.TryReadStat(helper.Pid)!.Value.RssBytes;
        await Poll.MeasureWindowAsync(TimeSpan.FromSeconds(2));
        var grown = (ProcFs.TryReadStat(helper.Pid)!.Value.RssBytes - first) / 1048576.0;

        Assert.InRange(grown, 60, 100);
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Leak_TargetWithOwnMemoryCgroup_IsChargedThere()
    {
        Requires.CgroupV1("memory");
        using var target = TestProcess.Sleeper();
        using var cgroup = new TestCgroup("memory");
        cgroup.Add(target.Pid);
        long Usage() => long.Parse(File.ReadAllText($"{cgroup.Dir("memory")}/memory.usage_in_bytes").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var before = Usage();
        await using var engine = new EngineFixture();

        var id = await engine.Manager.InjectFaultAsync("memory_leak", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["rate_mb_per_s"] = 200, ["max_mb"] = 64 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        await Poll.UntilAsync(Usage, u => u - before >= 64L * 1024 * 1024, TimeSpan.FromSeconds(5), "64 MiB charged to the target's memory cgroup");
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(Usage, u => u - before < 16L * 1024 * 1024, TimeSpan.FromSeconds(5), "the charge released");
    }
}
