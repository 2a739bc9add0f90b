using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Compute;

public sealed class CpuStressTests
{
    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 30)]
    public async Task Burn_AtRequestedLoad_WithinTenPercent(int workers, double load)
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var id = await engine.Manager.InjectFaultAsync("cpu_stress", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["workers"] = workers, ["load_percent"] = load }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var helper = await Measure.HelperOfAsync(engine.Journal, id);
        await Poll.MeasureWindowAsync(TimeSpan.FromMilliseconds(300));
        var measured = await Measure.CpuPercentAsync(helper.Pid, TimeSpan.FromSeconds(3));

        var expected = workers * load;
        Assert.InRange(measured, expected * 0.9, expected * 1.1);
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.False(helper.IsAlive);
    }

    [Fact]
    public async Task Burn_TargetWithOwnCgroup_IsChargedThere()
    {
        Requires.CgroupV1("cpuacct");
        using var target = TestProcess.Sleeper();
        using var cgroup = new TestCgroup("cpu", "cpuacct");
        cgroup.Add(target.Pid);
        await using var engine = new EngineFixture();

        var id = await engine.Manager.InjectFaultAsync("cpu_stress", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["load_percent"] = 40 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        await Poll.MeasureWindowAsync(TimeSpan.FromMilliseconds(300));
        var charged = await Measure.CgroupCpuPercentAsync(cgroup.Path, TimeSpan.FromSeconds(2));

        Assert.InRange(charged, 36, 44);
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        var after = await Measure.CgroupCpuPercentAsync(cgroup.Path, TimeSpan.FromMilliseconds(500));
        Assert.InRange(after, 0, 2);
    }
}
