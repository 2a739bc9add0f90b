using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Application;

public sealed class ServicePauseTests
{
    [Fact]
    public async Task Signal_PausesTargetAndItsChildren_ThenResumes()
    {
        using var target = TestProcess.Start("/bin/sh", "-c", "sleep 600 & wait");
        await using var engine = new EngineFixture();
        var resolved = await Poll.UntilAsync(() => engine.Manager.Validate("service_pause", $"pid:{target.Pid}", null, null, TimeSpan.FromSeconds(5)).Target, t => t.Processes.Count == 2, TimeSpan.FromSeconds(5), "the child sleep");
        var child = resolved.Processes[1].Pid;

        var id = await engine.Manager.InjectFaultAsync("service_pause", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => target.State == 'T' && Bev.Chaos.Targets.Linux.ProcFs.TryReadStat(child)!.Value.State == 'T', TimeSpan.FromSeconds(2), "state T");

        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => target.State == 'S' && Bev.Chaos.Targets.Linux.ProcFs.TryReadStat(child)!.Value.State == 'S', TimeSpan.FromSeconds(2), "state S again");
    }

    [Fact]
    public async Task Freezer_FreezesInOwnCgroup_ThenThawsAndRestoresCgroup()
    {
        Requires.CgroupV1("freezer");
        using var target = TestProcess.Sleeper();
        var before = Bev.Chaos.Targets.Linux.ProcFs.ReadCgroups(target.Pid)["freezer"];
        await using var engine = new EngineFixture();

        var id = await engine.Manager.InjectFaultAsync("service_pause", $"pid:{target.Pid}", parameters: new Dictionary<string, object?> { ["method"] = "freezer" }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var frozenIn = Bev.Chaos.Targets.Linux.ProcFs.ReadCgroups(target.Pid)["freezer"];
        Assert.EndsWith("/bev-chaos-" + id, frozenIn);
        await Poll.UntilAsync(() => target.State == 'D', TimeSpan.FromSeconds(2), "state D (frozen)");
        Assert.Equal("FROZEN", File.ReadAllText($"/sys/fs/cgroup/freezer{frozenIn}/freezer.state").Trim());

        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => target.State == 'S', TimeSpan.FromSeconds(2), "state S again");
        Assert.Equal(before, Bev.Chaos.Targets.Linux.ProcFs.ReadCgroups(target.Pid)["freezer"]);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/freezer{frozenIn}"));
    }
}
