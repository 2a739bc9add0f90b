using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Compute;

public sealed class CpuThrottleTests
{
    [Fact]
    public async Task Throttle_BusyTarget_IsHeldToQuota_ThenReleased()
    {
        Requires.CgroupV1("cpu");
        using var target = TestProcess.Spinner();
        var before = ProcFs.ReadCgroups(target.Pid)["cpu"];
        await using var engine = new EngineFixture();
        // What the spinner gets unthrottled is the yardstick: on a busy machine less than a core.
        var unthrottled = await Measure.CpuPercentAsync(target.Pid, TimeSpan.FromSeconds(1));
        Assert.True(unthrottled > 40, $"the spinner got {unthrottled:F0} % of a core unthrottled: too little to see a 20 % quota");

        var id = await engine.Manager.InjectFaultAsync("cpu_throttle", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["cpu_percent"] = 20 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var child = ProcFs.ReadCgroups(target.Pid)["cpu"];
        Assert.EndsWith("/bev-chaos-" + id, child);
        Assert.Equal("20000", File.ReadAllText($"/sys/fs/cgroup/cpu{child}/cpu.cfs_quota_us").Trim());
        Assert.InRange(await Measure.CpuPercentAsync(target.Pid, TimeSpan.FromSeconds(2)), Math.Min(16, unthrottled * 0.8), 24);

        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(before, ProcFs.ReadCgroups(target.Pid)["cpu"]);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/cpu{child}"));

        // Released: the spinner gets well past the 20 % quota again. Other work on a busy machine
        // can take its core for a second, so up to five one-second measurements are taken.
        var released = 0.0;
        for (var i = 0; i < 5 && released < Math.Min(80, unthrottled * 0.7); i++)
        {
            released = Math.Max(released, await Measure.CpuPercentAsync(target.Pid, TimeSpan.FromSeconds(1)));
        }

        Assert.InRange(released, Math.Min(80, unthrottled * 0.7), 110);
    }

    [Fact]
    public async Task Throttle_Twice_SecondIsRefused()
    {
        Requires.CgroupV1("cpu");
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();
        var id = await engine.Manager.InjectFaultAsync("cpu_throttle", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => engine.Manager.InjectFaultAsync("cpu_throttle", $"pid:{target.Pid}", cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith($"target_service: 'pid:{target.Pid}' is not allowed; allowed: a target not already confined by another fault on cgroup cpu (it is in /bev-chaos-{id}", error.Message);
    }
}
