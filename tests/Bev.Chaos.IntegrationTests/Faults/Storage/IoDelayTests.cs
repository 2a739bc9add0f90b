using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Storage;

public sealed class IoDelayTests
{
    [Fact]
    public async Task Throttle_DirectWrites_FallToTheLimit_ThenRecover()
    {
        Requires.CgroupV1("blkio");
        Requires.Program("dd");
        using var dir = new TempDirectory();
        if (FileSystems.BlockDeviceOf(dir.Path) is null)
        {
            Assert.Skip($"{dir.Path} is not on a block device here");
        }

        var file = Path.Combine(dir.Path, "io.dat");
        // Rewrites the same 64 MiB with direct I/O, so the disk sees every byte and no space grows.
        // The writer and every dd it forks sit in a blkio cgroup of the test's, whose recursive
        // counters see all of their writes, wherever the fault puts them below it.
        using var cgroup = new TestCgroup("blkio");
        using var writer = TestProcess.Start("/bin/sh", "-c", $"read go; while :; do dd if=/dev/zero of={file} bs=1M count=64 oflag=direct conv=notrunc status=none; done");
        cgroup.Add(writer.Pid);
        writer.WriteLine("go");
        await using var engine = new EngineFixture();
        // On a busy machine the first dd can take a while to start writing: measure once it does.
        // (Once, in a full run, no write showed in 20 s: the failure now says what the writer was doing.)
        await Poll.UntilAsync(() => Measure.CgroupWrittenBytes(cgroup.Path), written => written > 0, TimeSpan.FromSeconds(30), _ =>
            $"no direct write showed in {cgroup.Path}'s counters in 30 s; the writer is in state {writer.State}, io.dat has {(File.Exists(file) ? new FileInfo(file).Length : -1)} bytes, " +
            $"the cgroup holds [{string.Join(", ", File.ReadAllLines($"/sys/fs/cgroup/blkio{cgroup.Path}/cgroup.procs"))}], its counters: {string.Join(" | ", File.ReadAllLines($"/sys/fs/cgroup/blkio{cgroup.Path}/blkio.throttle.io_service_bytes_recursive"))}");

        await Poll.MeasureWindowAsync(TimeSpan.FromMilliseconds(300));
        var unthrottled = await Measure.CgroupWriteBytesPerSecondAsync(cgroup.Path, TimeSpan.FromSeconds(1));

        var id = await engine.Manager.InjectFaultAsync("io_delay", $"pid:{writer.Pid}",
            parameters: new Dictionary<string, object?> { ["path"] = dir.Path, ["write_bps"] = 4 * 1024 * 1024, ["read_bps"] = 0 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        await Poll.MeasureWindowAsync(TimeSpan.FromMilliseconds(500));
        var throttled = await Measure.CgroupWriteBytesPerSecondAsync(cgroup.Path, TimeSpan.FromSeconds(2));
        var child = ProcFs.ReadCgroups(writer.Pid)["blkio"];

        Assert.True(unthrottled > 40 * 1024 * 1024, $"unthrottled direct writes ran at {unthrottled / 1048576:F1} MiB/s");
        Assert.InRange(throttled / 1048576, 2.5, 5.5);
        Assert.EndsWith("/bev-chaos-" + id, child);

        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/blkio{child}"));
        await Poll.MeasureWindowAsync(TimeSpan.FromMilliseconds(300));
        var after = await Measure.CgroupWriteBytesPerSecondAsync(cgroup.Path, TimeSpan.FromSeconds(1));
        Assert.True(after > 20 * 1024 * 1024, $"after removal direct writes ran at {after / 1048576:F1} MiB/s");
    }

    [Fact]
    public async Task Throttle_VirtualFilesystem_SaysWhy()
    {
        Requires.CgroupV1("blkio");
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var error = await Assert.ThrowsAsync<FeatureUnavailableException>(() => engine.Manager.InjectFaultAsync("io_delay", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["path"] = "/proc" }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("io_delay needs a block device, but /proc is on a virtual filesystem (proc); choose a path on a disk", error.Message);
    }
}
