using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

/// <summary>
/// A store lost or damaged under a held fault is never silent: the next command finds the fault
/// from its copy beside the store, says so and reverts it; a damaged store is a clear error naming
/// the file and what to do, never a stack trace.
/// </summary>
public sealed class JournalLossTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task StoreEmptiedUnderAHeldPause_NextCommandSaysSoAndRevertsIt()
    {
        using var target = TestProcess.Sleeper();
        using var engine = CliRunner.Start(_data.Path, "inject", "service_pause", "--target", $"pid:{target.Pid}", "--duration", "60s", "--output", "json");
        await Poll.UntilAsync(() => target.State == 'T', TimeSpan.FromSeconds(20), "the target paused");
        engine.Kill();
        await ProcessExit.WithinAsync(engine, TimeSpan.FromSeconds(30), "inject after SIGKILL");

        // As the issue did it: `: > chaos.db`, the WAL removed.
        var store = Path.Combine(_data.Path, "chaos.db");
        await File.WriteAllBytesAsync(store, [], TestContext.Current.CancellationToken);
        File.Delete(store + "-wal");
        File.Delete(store + "-shm");
        Assert.Equal('T', target.State);

        // And a fill file that no journal or copy knows of any more: swept by its name.
        var fill = Path.Combine(_data.Path, $"bev-chaos-fill-disk_fill-{Guid.NewGuid().ToString("N")[..12]}.dat");
        await File.WriteAllBytesAsync(fill, new byte[4096], TestContext.Current.CancellationToken);

        var listed = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--output", "json");

        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("The fault journal had lost open fault service_pause-", listed.Stderr, StringComparison.Ordinal);
        Assert.Contains("bev-chaos: reverted 1 fault(s) left active by an engine that died", listed.Stderr, StringComparison.Ordinal);
        Assert.True(target.State is 'R' or 'S', $"running again (R or S), not {target.State}: the lost fault was restored and reverted");
        Assert.Empty(Directory.GetFiles(Path.Combine(_data.Path, "run", "faults"), "*.json"));
        Assert.False(File.Exists(fill), "the fill file nobody holds was not swept");
        Assert.Contains($"Swept fill file {fill}", listed.Stderr, StringComparison.Ordinal);

        var again = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--output", "json");
        Assert.Equal("[]\n", again.Stdout);
        Assert.DoesNotContain("lost", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataDirectoryDeletedUnderAHeldPause_AnEmergencyStopFromAnotherStoreRevertsIt()
    {
        using var target = TestProcess.Sleeper();
        var lost = new TempDirectory();
        using (var engine = CliRunner.Start(lost.Path, "inject", "service_pause", "--target", $"pid:{target.Pid}", "--duration", "60s", "--output", "json"))
        {
            await Poll.UntilAsync(() => target.State == 'T', TimeSpan.FromSeconds(20), "the target paused");
            engine.Kill();
            await ProcessExit.WithinAsync(engine, TimeSpan.FromSeconds(30), "inject after SIGKILL");
        }

        lost.Dispose();
        Assert.False(Directory.Exists(lost.Path));
        Assert.Equal('T', target.State);

        var stop = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "emergency-stop");

        Assert.Equal(0, stop.ExitCode);
        Assert.True(target.State is 'R' or 'S', $"running again (R or S), not {target.State}: the abandoned pause was taken over and reverted");
        var journal = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--output", "json");
        Assert.Equal("[]\n", journal.Stdout);
    }

    [Fact]
    public async Task StoreDamaged_EveryCommandNamesTheFileAndWhatToDo_NoStackTrace()
    {
        var store = Path.Combine(_data.Path, "chaos.db");
        Directory.CreateDirectory(_data.Path);
        await File.WriteAllTextAsync(store, new string('x', 8192), TestContext.Current.CancellationToken);

        foreach (var command in new[] { new[] { "faults" }, ["emergency-stop"] })
        {
            var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), command);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"bev-chaos: the store {store} cannot be used: ", result.Stderr, StringComparison.Ordinal);
            Assert.Contains($"Move it aside (mv {store} {store}.damaged", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }
    }
}
