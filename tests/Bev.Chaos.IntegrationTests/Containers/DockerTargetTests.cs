using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Persistence;
using Bev.Chaos.Targets;
using Bev.Chaos.Targets.Docker;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Containers;

/// <summary>
/// Docker targets on a real daemon: effects checked through the Docker API (docker inspect) and
/// /proc, then their reversal; the engine killed mid-fault; bad input.
/// </summary>
public sealed class DockerTargetTests : IDisposable
{
    private readonly TestContainers _containers = new();
    private readonly TempDirectory _data = new();

    public void Dispose()
    {
        _containers.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Pause_GoesThroughDockerAndIsUndone()
    {
        TestContainers.Require();
        var name = await _containers.RunAsync();
        await using var engine = await OpenAsync();
        var pid = int.Parse(TestContainers.Inspect(name, "{{.State.Pid}}"), System.Globalization.CultureInfo.InvariantCulture);

        var id = await engine.Faults.InjectFaultAsync("service_pause", $"docker:{name}", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("true", TestContainers.Inspect(name, "{{.State.Paused}}"));
        await Poll.UntilAsync(() => ProcFs.TryReadStat(pid)?.State == 'D', TimeSpan.FromSeconds(5), "the container's process frozen (state D)");
        await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal("false", TestContainers.Inspect(name, "{{.State.Paused}}"));
        await Poll.UntilAsync(() => ProcFs.TryReadStat(pid)?.State == 'S', TimeSpan.FromSeconds(5), "the container's process running again");
    }

    [Fact]
    public async Task RunBind_ABuiltInScenarioToAContainer_ResolvesItThroughDocker()
    {
        TestContainers.Require();
        var name = await _containers.RunAsync();
        var pid = int.Parse(TestContainers.Inspect(name, "{{.State.Pid}}"), System.Globalization.CultureInfo.InvariantCulture);

        // `bev-chaos run SCENARIO --bind SERVICE=docker:CONTAINER`, the CLI as users start it.
        using var cli = BevChaosCli.Start(_data.Path, ["run", "service_crash", "--bind", $"data-collector=docker:{name}", "--dry-run"]);
        var stdout = await cli.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = await cli.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await cli.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(cli.ExitCode == 0, $"exit {cli.ExitCode}\n{stdout}\n{stderr}");
        var id = TestContainers.Inspect(name, "{{.Id}}");
        Assert.Contains($"target docker:{name} → container {name} ({id[..12]}), pid {pid}", stdout);
        Assert.Contains($"service_crash │ docker:{name}", stdout);
        Assert.Equal("true", TestContainers.Inspect(name, "{{.State.Running}}"));
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), TestContainers.Inspect(name, "{{.State.Pid}}"));
    }

    [Fact]
    public async Task Stop_ByLabel_StopsEveryMatchThenStartsThem()
    {
        TestContainers.Require();
        var label = "bev-chaos-test=" + Guid.NewGuid().ToString("N")[..8];
        var first = await _containers.RunAsync(label);
        var second = await _containers.RunAsync(label);
        var bystander = await _containers.RunAsync();
        await using var engine = await OpenAsync();

        var id = await engine.Faults.InjectFaultAsync("service_stop", $"docker:label:{label}", parameters: new Dictionary<string, object?> { ["grace_seconds"] = 0 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(("false", "false", "true"), (TestContainers.Inspect(first, "{{.State.Running}}"), TestContainers.Inspect(second, "{{.State.Running}}"), TestContainers.Inspect(bystander, "{{.State.Running}}")));
        await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(("true", "true"), (TestContainers.Inspect(first, "{{.State.Running}}"), TestContainers.Inspect(second, "{{.State.Running}}")));
    }

    [Fact]
    public async Task CatalogPercent_LimitsTheBlastRadiusToThatShareOfTheContainers()
    {
        TestContainers.Require();
        var label = "bev-chaos-test=" + Guid.NewGuid().ToString("N")[..8];
        var names = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            names.Add(await _containers.RunAsync(label));
        }

        var catalog = new Dictionary<string, TargetDefinition> { ["fleet"] = new() { Name = "fleet", Kind = TargetKind.Docker, Container = $"label:{label}", Percent = 50 } };
        await using var engine = await ChaosEngine.OpenAsync(new ChaosConfiguration { Targets = catalog }, _data.Path, cancellationToken: TestContext.Current.CancellationToken);

        var id = await engine.Faults.InjectFaultAsync("service_pause", "fleet", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        var paused = names.Order(StringComparer.Ordinal).Select(n => TestContainers.Inspect(n, "{{.State.Paused}}")).ToList();
        Assert.Equal(["true", "true", "false", "false"], paused);
        await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.All(names, n => Assert.Equal("false", TestContainers.Inspect(n, "{{.State.Paused}}")));
    }

    [Fact]
    public async Task Stop_ContainerRemovedMeanwhile_RemovalSucceedsWithoutError()
    {
        TestContainers.Require();
        var name = await _containers.RunAsync();
        await using var engine = await OpenAsync();
        var id = await engine.Faults.InjectFaultAsync("service_stop", $"docker:{name}", parameters: new Dictionary<string, object?> { ["grace_seconds"] = 0 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, TestContainers.Docker("rm", "-f", name).Code);

        Assert.True(await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken));

        var entry = await engine.Journal.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(FaultState.Removed, entry!.State);
    }

    [Fact]
    public async Task CpuStress_OnAContainer_IsChargedToItsCgroup()
    {
        TestContainers.Require();
        Requires.CgroupV1("cpuacct");
        var name = await _containers.RunAsync();
        await using var engine = await OpenAsync();
        var pid = int.Parse(TestContainers.Inspect(name, "{{.State.Pid}}"), System.Globalization.CultureInfo.InvariantCulture);
        var cgroup = ProcFs.ReadCgroups(pid)["cpuacct"];
        var usage = Path.Combine("/sys/fs/cgroup/cpuacct", cgroup.TrimStart('/'), "cpuacct.usage");
        long Used() => long.Parse(File.ReadAllText(usage).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        var id = await engine.Faults.InjectFaultAsync("cpu_stress", $"docker:{name}", parameters: new Dictionary<string, object?> { ["load_percent"] = 50, ["workers"] = 1 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var before = Used();
        await Poll.MeasureWindowAsync(TimeSpan.FromSeconds(1));
        var burnt = Used() - before;
        await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken);

        // Half a core for a second is 0.5 s of CPU in the container's own cgroup.
        Assert.InRange(burnt / 1e9, 0.3, 0.8);
    }

    [Fact]
    public async Task KernelPartition_LivesInTheContainersNetworkNamespaceOnly()
    {
        TestContainers.Require();
        Requires.Program("nft");
        Requires.Program("nsenter");
        var name = await _containers.RunAsync();
        await using var engine = await OpenAsync();
        var pid = TestContainers.Inspect(name, "{{.State.Pid}}");
        string Ruleset(params string[] prefix) => RunText([.. prefix, "nft", "list", "ruleset"]);

        var id = await engine.Faults.InjectFaultAsync("network_partition", $"docker:{name}", parameters: new Dictionary<string, object?> { ["mechanism"] = "kernel", ["mode"] = "drop" }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("bev-chaos:", Ruleset("nsenter", "-t", pid, "-n"));
        Assert.DoesNotContain("bev-chaos:", Ruleset());
        await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("bev-chaos:", Ruleset("nsenter", "-t", pid, "-n"));
    }

    [Fact]
    public async Task CpuThrottle_CapsABusyContainerThenLiftsTheCap()
    {
        TestContainers.Require();
        Requires.CgroupV1("cpu");
        var name = await _containers.RunCommandAsync(["/bin/sh", "-c", "while :; do :; done"]);
        await using var engine = await OpenAsync();
        var pid = int.Parse(TestContainers.Inspect(name, "{{.State.Pid}}"), System.Globalization.CultureInfo.InvariantCulture);
        async Task<double> ShareOfACoreAsync()
        {
            var before = ProcFs.TryReadStat(pid)!.Value.CpuTime;
            await Poll.MeasureWindowAsync(TimeSpan.FromSeconds(1));
            return (ProcFs.TryReadStat(pid)!.Value.CpuTime - before).TotalSeconds;
        }

        var id = await engine.Faults.InjectFaultAsync("cpu_throttle", $"docker:{name}", parameters: new Dictionary<string, object?> { ["cpu_percent"] = 10 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var throttled = await ShareOfACoreAsync();
        await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        var free = await ShareOfACoreAsync();

        Assert.InRange(throttled, 0.05, 0.15);
        Assert.True(free > 0.5, $"after removal the loop should run freely again, got {free:0.00} of a core");
    }

    [Fact]
    public async Task DiskFill_WritesRealBlocksInsideTheContainerThenDeletesThem()
    {
        TestContainers.Require();
        var name = await _containers.RunAsync();
        await using var engine = await OpenAsync();
        string Inside(params string[] command) => TestContainers.Docker(["exec", name, "/bin/busybox", .. command]).Output;

        var id = await engine.Faults.InjectFaultAsync("disk_fill", $"docker:{name}", parameters: new Dictionary<string, object?> { ["size_mb"] = 64, ["reserve_mb"] = 64 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        var file = $"/tmp/bev-chaos-fill-{id}.dat";
        Assert.Equal((64L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), Inside("stat", "-c", "%s", file));
        Assert.True(long.Parse(Inside("stat", "-c", "%b", file), System.Globalization.CultureInfo.InvariantCulture) * 512 >= 64L * 1024 * 1024, "the blocks are allocated, not a sparse file");
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), $"bev-chaos-fill-{id}.dat")), "nothing written to the host's own /tmp");
        await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("bev-chaos-fill", Inside("ls", "/tmp"));
    }

    [Fact]
    public async Task DiskFill_LinkInsideTheContainerPointingOut_IsRefusedAndNothingLandsOnTheHost()
    {
        TestContainers.Require();
        var name = await _containers.RunAsync();
        await using var engine = await OpenAsync();

        // Through /proc/PID/root the kernel would follow this link to the host's /etc.
        Assert.Equal(0, TestContainers.Docker(["exec", name, "/bin/busybox", "ln", "-s", "/etc", "/tmp/l"]).Code);
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => engine.Faults.InjectFaultAsync("disk_fill", $"docker:{name}",
            parameters: new Dictionary<string, object?> { ["path"] = "/tmp/l", ["size_mb"] = 1 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("parameters.path: '/etc' is not allowed", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles("/etc", "bev-chaos-fill-*"));
    }

    [Fact]
    public async Task MemoryLeak_GrowsTheContainersMemoryCgroupThenGivesItBack()
    {
        TestContainers.Require();
        Requires.CgroupV1("memory");
        var name = await _containers.RunAsync();
        await using var engine = await OpenAsync();
        var pid = int.Parse(TestContainers.Inspect(name, "{{.State.Pid}}"), System.Globalization.CultureInfo.InvariantCulture);
        var usage = Path.Combine("/sys/fs/cgroup/memory", ProcFs.ReadCgroups(pid)["memory"].TrimStart('/'), "memory.usage_in_bytes");
        long Used() => long.Parse(File.ReadAllText(usage).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var before = Used();

        var id = await engine.Faults.InjectFaultAsync("memory_leak", $"docker:{name}", parameters: new Dictionary<string, object?> { ["max_mb"] = 96, ["rate_mb_per_s"] = 256 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => Used() - before >= 90L * 1024 * 1024, TimeSpan.FromSeconds(10), "96 MiB charged to the container's memory cgroup");
        await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken);

        await Poll.UntilAsync(() => Used() - before < 16L * 1024 * 1024, TimeSpan.FromSeconds(10), "the memory given back");
    }

    [Fact]
    public async Task MemoryLimit_CapsTheContainersProcessesThenRestoresTheirCgroup()
    {
        TestContainers.Require();
        Requires.CgroupV1("memory");
        var name = await _containers.RunAsync();
        await using var engine = await OpenAsync();
        var pid = int.Parse(TestContainers.Inspect(name, "{{.State.Pid}}"), System.Globalization.CultureInfo.InvariantCulture);
        var original = ProcFs.ReadCgroups(pid)["memory"];

        var id = await engine.Faults.InjectFaultAsync("memory_limit", $"docker:{name}", parameters: new Dictionary<string, object?> { ["limit_mb"] = 64 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        var confined = ProcFs.ReadCgroups(pid)["memory"];
        Assert.StartsWith(original.TrimEnd('/') + "/bev-chaos-memory_limit-", confined);
        var limit = long.Parse(File.ReadAllText(Path.Combine("/sys/fs/cgroup/memory", confined.TrimStart('/'), "memory.limit_in_bytes")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(64L * 1024 * 1024, limit);
        await engine.Faults.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(original, ProcFs.ReadCgroups(pid)["memory"]);
        Assert.False(Directory.Exists(Path.Combine("/sys/fs/cgroup/memory", confined.TrimStart('/'))), "the fault's cgroup is gone");
    }

    [Fact]
    public async Task EngineKilledWhileAContainerIsPaused_NextOpenUnpausesIt()
    {
        TestContainers.Require();
        var name = await _containers.RunAsync();
        using (var holder = EngineProcess.Start(_data.Path, "inject", "service_pause", "--target", $"docker:{name}", "--duration", "120s", "--output", "json"))
        {
            await Poll.UntilAsync(() => TestContainers.Inspect(name, "{{.State.Paused}}") == "true", TimeSpan.FromSeconds(30), "the container paused by the engine");
            holder.Kill();
        }

        await using var engine = await OpenAsync();

        Assert.Equal(1, engine.RevertedOnOpen);
        Assert.Equal("false", TestContainers.Inspect(name, "{{.State.Paused}}"));
    }

    [Fact]
    public async Task BadDockerTargets_AreClearErrorsAndNothingIsApplied()
    {
        TestContainers.Require();
        using var sleeper = TestProcess.Sleeper();
        await using var engine = await OpenAsync();
        var label = "bev-chaos-none=" + Guid.NewGuid().ToString("N")[..8];

        var missing = Assert.Throws<ChaosValidationException>(() => engine.Faults.Validate("service_pause", "docker:no-such-container", null, null, null));
        var nothing = Assert.Throws<ChaosValidationException>(() => engine.Faults.Validate("service_pause", $"docker:label:{label}", null, null, null));
        var notDocker = Assert.Throws<ChaosValidationException>(() => engine.Faults.Validate("service_stop", $"pid:{sleeper.Pid}", null, null, null));
        var unreachable = new TargetResolver(new ChaosConfiguration(), docker: new DockerEngine(new Uri("unix:///nonexistent/docker.sock")));
        var down = Assert.Throws<ChaosValidationException>(() => unreachable.Resolve("docker:web"));

        Assert.Equal("target_service: 'docker:no-such-container' is not allowed; allowed: the name or id of an existing container (none matches)", missing.Message);
        Assert.Equal($"target_service: 'docker:label:{label}' is not allowed; allowed: a label that selects at least one container (none has {label})", nothing.Message);
        Assert.StartsWith($"target_service: 'pid:{sleeper.Pid}' is not allowed; allowed: a docker target", notDocker.Message);
        Assert.Contains("unix:///nonexistent/docker.sock", down.Message);
        Assert.Empty(await engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
    }

    private static string RunText(string[] argv)
    {
        var info = new System.Diagnostics.ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private Task<ChaosEngine> OpenAsync() => ChaosEngine.OpenAsync(new ChaosConfiguration(), _data.Path, cancellationToken: TestContext.Current.CancellationToken);
}
