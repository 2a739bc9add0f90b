namespace Bev.Chaos.Deploy.Tests.Packages;

/// <summary>The bev-chaos .NET tool installed from the local feed into a tool path of the test's own.</summary>
public sealed class ToolTests(PackageFeed feed)
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static string? _installed;

    [Fact]
    public async Task ToolInstall_FaultsCommand_ListsActiveFaultsAndEveryFaultType()
    {
        var tool = await InstallAsync();
        using var data = new TempDirectory();
        var (exit, output) = await Tool.RunAsync(tool, ["--data-dir", data.Path, "faults"], TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, output);
        Assert.Contains("no active faults", output, StringComparison.Ordinal);
        (exit, output) = await Tool.RunAsync(tool, ["--data-dir", data.Path, "faults", "--injectors"], TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, output);
        foreach (var injector in new[] { "cpu_stress", "service_pause", "network_delay", "memory_leak", "disk_fill" })
        {
            Assert.Contains(injector, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ToolInstall_InjectServicePause_SleeperStoppedThenResumed()
    {
        Requires.Root();
        var tool = await InstallAsync();
        using var sleeper = new Sleeper();
        using var data = new TempDirectory();
        var run = Tool.RunAsync(tool, ["--data-dir", data.Path, "inject", "service_pause", "--target", $"pid:{sleeper.Pid}", "--duration", "2s"], TimeSpan.FromMinutes(1));
        await Poll.UntilAsync(() => sleeper.State, s => s == 'T' || run.IsCompleted, TimeSpan.FromSeconds(30), "the sleeper stopped (state T) by the installed tool");
        Assert.False(run.IsCompleted, "inject ended before the sleeper was seen stopped: " + (run.IsCompleted ? (await run).Output : string.Empty));
        var (exit, output) = await run;
        Assert.True(exit == 0, output);
        Assert.NotEqual('T', sleeper.State);
    }

    [Fact]
    public async Task ToolInstall_EffectHelper_RunsFromTheToolFolder()
    {
        Requires.Root();
        var tool = await InstallAsync();
        using var sleeper = new Sleeper();
        using var data = new TempDirectory();
        using var inject = Tool.Start(tool, ["--data-dir", data.Path, "inject", "cpu_stress", "--target", $"pid:{sleeper.Pid}", "--param", "load_percent=90", "--duration", "20s"]);
        try
        {
            await Poll.UntilAsync(() => HelpersUnder(inject.Id).Count > 0 || inject.HasExited, TimeSpan.FromSeconds(30), "an effect helper started by the installed tool");
            if (inject.HasExited)
            {
                Assert.Fail($"inject exited {inject.ExitCode}: {await inject.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)}");
            }

            var store = Path.Combine(Path.GetDirectoryName(tool)!, ".store");
            Assert.All(HelpersUnder(inject.Id), pid => Assert.Contains(store, ProcStat.CommandLine(pid), StringComparison.Ordinal));
            await AssertHelpersBurnAsync(inject.Id);
        }
        finally
        {
            inject.Kill(entireProcessTree: true);
            await inject.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    internal static bool IsDescendant(int pid, int ancestor)
    {
        for (var p = pid; p > 1; p = ProcStat.ParentPid(p))
        {
            if (p == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The effect helpers (a warm standby among them) that <paramref name="ancestor"/> started.</summary>
    internal static List<int> HelpersUnder(int ancestor) =>
        [.. ProcStat.All().Where(pid => ProcStat.CommandLine(pid).Contains("Bev.Chaos.Helper", StringComparison.Ordinal) && IsDescendant(pid, ancestor))];

    /// <summary>
    /// The helpers under <paramref name="ancestor"/> burn CPU: 0.3 s of CPU time on top of what they
    /// had, within 20 s. Counted in CPU time, not as a share of a window, because this machine's
    /// load varies widely; an idle helper (the warm standby) gains next to none.
    /// </summary>
    internal static async Task AssertHelpersBurnAsync(int ancestor)
    {
        var before = HelpersUnder(ancestor).ToDictionary(pid => pid, ProcStat.CpuTicks);
        long Burnt() => before.Sum(p => Math.Max(0, ProcStat.CpuTicks(p.Key) - p.Value));
        await Poll.UntilAsync(Burnt, ticks => ticks >= 30, TimeSpan.FromSeconds(20), "0.3 s of CPU (30 ticks) burnt by the effect helper");
    }

    private async Task<string> InstallAsync()
    {
        feed.EnsurePacked();
        await InstallGate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_installed is null)
            {
                var toolPath = Path.Combine(feed.Scratch, "tools");
                var (exit, output) = await Tool.RunAsync("dotnet", ["tool", "install", "bev-chaos", "--tool-path", toolPath, "--add-source", feed.Feed, "--version", feed.Version, "--configfile", feed.NuGetConfig], TimeSpan.FromMinutes(3));
                Assert.True(exit == 0, "dotnet tool install: " + output);
                _installed = Path.Combine(toolPath, "bev-chaos");
            }

            return _installed;
        }
        finally
        {
            InstallGate.Release();
        }
    }
}
