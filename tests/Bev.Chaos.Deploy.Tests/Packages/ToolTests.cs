namespace Bev.Chaos.Deploy.Tests.Packages;

/// <summary>The bev-chaos .NET tool installed from the local feed into a tool path of the test's own.</summary>
public sealed class ToolTests(PackageFeed feed)
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static string? _installed;

    [Fact]
    public async Task ToolInstall_FaultsCommand_ListsEveryFaultType()
    {
        var tool = await InstallAsync();
        var (exit, output) = await Tool.RunAsync(tool, ["faults"], TimeSpan.FromMinutes(1));
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
        using var inject = Tool.Start(tool, ["--data-dir", data.Path, "inject", "cpu_stress", "--target", $"pid:{sleeper.Pid}", "--param", "load_percent=60", "--duration", "20s"]);
        try
        {
            await Poll.UntilAsync(() => HelpersUnder(inject.Id).Count > 0 || inject.HasExited, TimeSpan.FromSeconds(30), "an effect helper started by the installed tool");
            Assert.False(inject.HasExited, "inject exited: " + inject.StandardError.ReadToEnd());
            var store = Path.Combine(Path.GetDirectoryName(tool)!, ".store");
            Assert.All(HelpersUnder(inject.Id), pid => Assert.Contains(store, ProcStat.CommandLine(pid), StringComparison.Ordinal));
            var burnt = await HelperCpuCoresAsync(inject.Id, TimeSpan.FromSeconds(1.5));
            Assert.True(burnt > 0.2, $"the tool's helper burnt {burnt:F2} cores; expected about 0.6");
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

    /// <summary>Cores the helpers under <paramref name="ancestor"/> burnt together over <paramref name="window"/>.</summary>
    internal static async Task<double> HelperCpuCoresAsync(int ancestor, TimeSpan window)
    {
        var before = HelpersUnder(ancestor).ToDictionary(pid => pid, ProcStat.CpuTicks);
        await Poll.MeasureWindowAsync(window);
        var ticks = before.Sum(p => Math.Max(0, ProcStat.CpuTicks(p.Key) - p.Value));
        return ticks / ProcStat.TicksPerSecond / window.TotalSeconds;
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
