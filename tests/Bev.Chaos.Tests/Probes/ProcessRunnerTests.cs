using System.Globalization;
using Bev.Chaos.Probes;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests.Probes;

/// <summary>The one process runner: results, and the whole tree killed at the timeout and on cancel.</summary>
public sealed class ProcessRunnerTests
{
    [Fact]
    public async Task RunAsync_Exits_ReturnsExitCodeAndBothStreams()
    {
        var result = await ProcessRunner.Default.RunAsync(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal((3, "out\n", "err\n", false, false), (result.ExitCode, result.Stdout, result.Stderr, result.TimedOut, result.Succeeded));
    }

    [Fact]
    public async Task RunAsync_PastItsTimeout_KillsTheProcessAndItsChild()
    {
        using var dir = new TempDirectory();
        var pids = Path.Combine(dir.Path, "pids");

        var result = await ProcessRunner.Default.RunAsync(["/bin/sh", "-c", $"sleep 600 & echo $$ $! > {pids}; wait"], TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);

        Assert.True(result.TimedOut);
        Assert.Null(result.ExitCode);
        await AssertGoneAsync(pids);
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsTheTreeAndThrows()
    {
        using var dir = new TempDirectory();
        var pids = Path.Combine(dir.Path, "pids");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var running = ProcessRunner.Default.RunAsync(["/bin/sh", "-c", $"sleep 600 & echo $$ $! > {pids}; wait"], TimeSpan.FromMinutes(5), cancel.Token);
        await Poll.UntilAsync(() => File.Exists(pids) && File.ReadAllText(pids).Trim().Contains(' ', StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the shell and its child started");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await AssertGoneAsync(pids);
    }

    [Fact]
    public async Task RunAsync_ExitsLeavingAChildHoldingStdout_ReportsItsExitCodeNotATimeout()
    {
        using var dir = new TempDirectory();
        var pids = Path.Combine(dir.Path, "pids");

        var result = await ProcessRunner.Default.RunAsync(["/bin/sh", "-c", $"sleep 30 & echo $$ $! > {pids}; echo done; exit 4"], TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.False(result.TimedOut);
        Assert.Equal(4, result.ExitCode);
        Assert.Equal("done\n", result.Stdout);
        Assert.Contains("output cut", result.Stderr, StringComparison.Ordinal);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(15), $"took {result.Elapsed}: it waited for the child");
        KillChild(pids);
    }

    private static void KillChild(string pidFile)
    {
        var child = int.Parse(File.ReadAllText(pidFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1], CultureInfo.InvariantCulture);
        try
        {
            System.Diagnostics.Process.GetProcessById(child).Kill();
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    [Fact]
    public async Task RunAsync_NoSuchProgram_Throws()
    {
        await Assert.ThrowsAsync<System.ComponentModel.Win32Exception>(() => ProcessRunner.Default.RunAsync(["/nonexistent/program"], TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken));
    }

    /// <summary>Both pids in the file ("shell child") no longer run (gone, or a zombie awaiting its reaper).</summary>
    internal static async Task AssertGoneAsync(string pidFile)
    {
        var pids = File.ReadAllText(pidFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2, pids.Length);
        await Poll.UntilAsync(() => pids.All(p => Bev.Chaos.Targets.Linux.ProcFs.TryReadStat(p) is null or { State: 'Z' }), TimeSpan.FromSeconds(10), $"pids {string.Join(", ", pids)} killed");
    }
}
