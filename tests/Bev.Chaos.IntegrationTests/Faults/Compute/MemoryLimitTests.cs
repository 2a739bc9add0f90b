using System.Globalization;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Compute;

public sealed class MemoryLimitTests
{
    [Fact]
    public async Task Limit_TargetMovesUnderLimit_ThenBack()
    {
        Requires.CgroupV1("memory");
        using var target = TestProcess.Sleeper();
        var before = ProcFs.ReadCgroups(target.Pid)["memory"];
        await using var engine = new EngineFixture();

        var id = await engine.Manager.InjectFaultAsync("memory_limit", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["limit_mb"] = 48 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var child = ProcFs.ReadCgroups(target.Pid)["memory"];

        Assert.Equal((before == "/" ? string.Empty : before) + "/bev-chaos-" + id, child);
        Assert.Equal(48L * 1024 * 1024, long.Parse(File.ReadAllText($"/sys/fs/cgroup/memory{child}/memory.limit_in_bytes").Trim(), CultureInfo.InvariantCulture));
        Assert.Contains(target.Pid.ToString(CultureInfo.InvariantCulture), File.ReadAllLines($"/sys/fs/cgroup/memory{child}/cgroup.procs"));

        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(before, ProcFs.ReadCgroups(target.Pid)["memory"]);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory{child}"));
    }

    [Fact]
    public async Task Limit_ProcessThatOutgrowsIt_IsOomKilled()
    {
        Requires.CgroupV1("memory");
        // Grows by 8 MiB a step once a line arrives; a 32 MiB limit stops it.
        using var target = TestProcess.Start("/bin/sh", "-c", "read go; x=''; while :; do x=\"$x$(head -c 8388608 /dev/zero | tr '\\0' a)\"; done");
        await using var engine = new EngineFixture();

        await engine.Manager.InjectFaultAsync("memory_limit", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["limit_mb"] = 32 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        target.WriteLine("go");

        await Poll.UntilAsync(() => target.HasExited, TimeSpan.FromSeconds(20), "the OOM killer inside the limit");
    }
}
