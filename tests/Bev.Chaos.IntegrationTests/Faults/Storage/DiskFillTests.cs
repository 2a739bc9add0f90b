using Bev.Chaos.Configuration;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Storage;

public sealed class DiskFillTests
{
    [Fact]
    public async Task FillBySize_AllocatesRealBlocks_ThenDeletesThem()
    {
        using var target = TestProcess.Sleeper();
        using var dir = new TempDirectory();
        await using var engine = new EngineFixture();
        var before = FileSystems.Space(dir.Path).AvailableBytes;

        var id = await engine.Manager.InjectFaultAsync("disk_fill", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["path"] = dir.Path, ["size_mb"] = 256 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        var file = Assert.Single(Directory.GetFiles(dir.Path));
        Assert.Equal($"bev-chaos-fill-{id}.dat", Path.GetFileName(file));
        var dropped = before - FileSystems.Space(dir.Path).AvailableBytes;
        Assert.InRange(dropped, 250L * 1024 * 1024, 300L * 1024 * 1024);

        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.Empty(Directory.GetFiles(dir.Path));
        Assert.InRange(before - FileSystems.Space(dir.Path).AvailableBytes, -64L * 1024 * 1024, 64L * 1024 * 1024);
    }

    [Fact]
    public async Task FillPercent_OnSmallTmpfs_ReachesThePercentage()
    {
        Requires.Root();
        Requires.Program("mount");
        using var dir = new TempDirectory();
        using var mount = TestMount.Tmpfs(dir.Path, "256m");
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var id = await engine.Manager.InjectFaultAsync("disk_fill", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["path"] = dir.Path, ["fill_percent"] = 50, ["reserve_mb"] = 64 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Assert.InRange(FileSystems.Space(dir.Path).UsedPercent, 48, 52);
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.InRange(FileSystems.Space(dir.Path).UsedPercent, 0, 2);
    }

    [Fact]
    public async Task Fill_NeverPastTheReserve()
    {
        Requires.Root();
        using var dir = new TempDirectory();
        using var mount = TestMount.Tmpfs(dir.Path, "128m");
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => engine.Manager.InjectFaultAsync("disk_fill", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["path"] = dir.Path, ["size_mb"] = 10, ["reserve_mb"] = 200 }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal($"parameters.size_mb: '10' is not allowed; allowed: a fill that leaves 200 MiB (reserve_mb) available; {dir.Path} is already 0.0% used with 128 MiB available", error.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Fill_OutsideAllowedRoots_IsRefused()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => engine.Manager.InjectFaultAsync("disk_fill", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["path"] = "/etc", ["size_mb"] = 1 }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal($"parameters.path: '/etc' is not allowed; allowed: a directory under {Path.GetTempPath()}, {engine.DataDirectory} (add more with fault_injectors.disk_fill.allowed_paths)", error.Message);
    }

    [Fact]
    public async Task Fill_LinkOutOfAnAllowedRoot_IsRefusedAndNothingIsWrittenThere()
    {
        using var dir = new TempDirectory();
        var link = Path.Combine(dir.Path, "l");
        File.CreateSymbolicLink(link, "/etc");
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => engine.Manager.InjectFaultAsync("disk_fill", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["path"] = link, ["size_mb"] = 1 }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal($"parameters.path: '{link} (really /etc)' is not allowed; allowed: a directory under {Path.GetTempPath()}, {engine.DataDirectory} (add more with fault_injectors.disk_fill.allowed_paths)", error.Message);
        Assert.Empty(Directory.GetFiles("/etc", "bev-chaos-fill-*"));
    }

    [Fact]
    public async Task Fill_LinkInsideAnAllowedRoot_FillsWhereItLeads()
    {
        using var dir = new TempDirectory();
        var real = Path.Combine(dir.Path, "real");
        Directory.CreateDirectory(real);
        var link = Path.Combine(dir.Path, "link");
        File.CreateSymbolicLink(link, real);
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var id = await engine.Manager.InjectFaultAsync("disk_fill", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["path"] = link, ["size_mb"] = 1, ["reserve_mb"] = 64 }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal($"bev-chaos-fill-{id}.dat", Path.GetFileName(Assert.Single(Directory.GetFiles(real))));
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.Empty(Directory.GetFiles(real));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Fill_EmptyPath_IsRefusedNamingIt(string path)
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => engine.Manager.InjectFaultAsync("disk_fill", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["path"] = path, ["size_mb"] = 1 }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal($"parameters.path: '{path}' is not allowed; allowed: a directory path (not empty, no NUL character)", error.Message);
    }

    [Fact]
    public async Task Fill_DirectorySwappedForALinkAfterItWasChecked_FillsNothingAnywhere()
    {
        using var target = TestProcess.Sleeper();
        using var root = new TempDirectory();
        using var outside = new TempDirectory();
        var dir = Path.Combine(root.Path, "fill");
        Directory.CreateDirectory(dir);
        await using var engine = new EngineFixture();
        var injector = engine.Manager.Injectors["disk_fill"];
        var context = engine.Manager.Validate("disk_fill", $"pid:{target.Pid}", null, new Dictionary<string, object?> { ["path"] = dir, ["size_mb"] = 1 }, TimeSpan.FromSeconds(30));
        var recipe = await injector.PrepareAsync(context, TestContext.Current.CancellationToken);

        // Between the check and the write, the checked directory becomes a link out of the allowed roots.
        Directory.Move(dir, dir + ".checked");
        File.CreateSymbolicLink(dir, outside.Path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => injector.ApplyAsync(context, recipe, TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("changed into a link after it was checked", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(outside.Path));
        Assert.Empty(Directory.GetFiles(dir + ".checked"));
    }

    [Theory]
    [InlineData("tmp")]
    [InlineData("./x")]
    [InlineData("../../etc")]
    public async Task Fill_RelativePath_IsRefusedNamingIt(string path)
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => engine.Manager.InjectFaultAsync("disk_fill", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["path"] = path, ["size_mb"] = 1 }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal($"parameters.path: '{path}' is not allowed; allowed: an absolute directory path (starting with /)", error.Message);
    }

    [Fact]
    public async Task Fill_ConfiguredAllowedPath_IsAccepted()
    {
        using var dir = new TempDirectory();
        var extra = Path.Combine(dir.Path, "extra");
        Directory.CreateDirectory(extra);
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture(new ChaosConfiguration
        {
            FaultInjectors = new Dictionary<string, InjectorSettings> { ["disk_fill"] = new() { AllowedPaths = [extra] } },
        });

        var context = engine.Manager.Validate("disk_fill", $"pid:{target.Pid}", null, new Dictionary<string, object?> { ["path"] = extra, ["size_mb"] = 1 }, TimeSpan.FromSeconds(5));

        Assert.Equal(extra, context.Parameters.GetString("path"));
    }
}
