using System.ComponentModel;
using System.Diagnostics;

namespace Bev.Chaos.Probes;

/// <summary>
/// Runs an external command to its end for command probes, Chaos Toolkit process activities and
/// experiment rollbacks: the one way this library starts a program and waits for it. At its
/// timeout, and when the caller cancels, the whole process tree is killed — never left running.
/// </summary>
public sealed class ProcessRunner(TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>A runner on the system clock.</summary>
    public static ProcessRunner Default { get; } = new();

    /// <summary>Runs <paramref name="argv"/> (no shell) until it exits or <paramref name="timeout"/> passes.</summary>
    /// <param name="argv">The program and its arguments.</param>
    /// <param name="timeout">How long it may run; past it the process tree is killed and the result says <see cref="ProcessRunResult.TimedOut"/>.</param>
    /// <param name="cancellationToken">Kills the process tree, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>Exit code, standard output and error, and whether it timed out.</returns>
    /// <exception cref="Win32Exception">The program cannot be started (not found, not executable).</exception>
    /// <exception cref="ArgumentException"><paramref name="argv"/> is empty.</exception>
    public async Task<ProcessRunResult> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (argv.Count == 0 || string.IsNullOrEmpty(argv[0]))
        {
            throw new ArgumentException("a command needs at least a program", nameof(argv));
        }

        var info = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in argv.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = info };
        var started = _time.GetTimestamp();
        process.Start();
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var stdout = process.StandardOutput.ReadToEndAsync(linked.Token);
        var stderr = process.StandardError.ReadToEndAsync(linked.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);

            // A child that outlives its parent can hold the pipes open: the reads share the deadline.
            var output = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            return new ProcessRunResult(process.ExitCode, output, errors, TimedOut: false, _time.GetElapsedTime(started));
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            cancellationToken.ThrowIfCancellationRequested();
            return new ProcessRunResult(null, await PartialAsync(stdout).ConfigureAwait(false), await PartialAsync(stderr).ConfigureAwait(false), TimedOut: true, _time.GetElapsedTime(started));
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            // The descendants are listed before any is signalled, so a child is not missed
            // because its parent died first and it was reparented.
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
            // Exited by itself meanwhile.
        }
        catch (Win32Exception)
        {
            // Gone between listing and signalling.
        }
    }

    private static async Task<string> PartialAsync(Task<string> read)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return string.Empty;
        }
    }
}
