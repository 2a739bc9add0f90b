using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Bev.Chaos.Probes;

/// <summary>
/// Runs an external command to its end for command probes, Chaos Toolkit process activities and
/// experiment rollbacks: the one way this library starts a program and waits for it. At its
/// timeout, and when the caller cancels, the whole process tree is killed — never left running.
/// </summary>
public sealed class ProcessRunner(TimeProvider? timeProvider = null)
{
    // How long the output may still arrive after the command has exited or been killed.
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

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
        var stdoutText = new StringBuilder();
        var stderrText = new StringBuilder();
        var stdout = DrainAsync(process.StandardOutput, stdoutText, linked.Token);
        var stderr = DrainAsync(process.StandardError, stderrText, linked.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            cancellationToken.ThrowIfCancellationRequested();
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(OutputGrace, _time, CancellationToken.None)).ConfigureAwait(false);
            return new ProcessRunResult(null, Text(stdoutText), Text(stderrText), TimedOut: true, _time.GetElapsedTime(started));
        }

        // The command has ended by itself: its exit code is the result. A background child it left
        // behind can hold the pipes open; what was written until shortly after the exit is kept, and
        // the command is not reported as timed out for it.
        try
        {
            await Task.WhenAll(stdout, stderr).WaitAsync(OutputGrace, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            stderrText.Append("(output cut: a process the command left running still holds its standard output or error)\n");
        }

        return new ProcessRunResult(process.ExitCode, Text(stdoutText), Text(stderrText), TimedOut: false, _time.GetElapsedTime(started));
    }

    private static string Text(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    // Reads to the end or until cancelled, keeping what was read either way; never throws.
    private static async Task DrainAsync(StreamReader reader, StringBuilder text, CancellationToken cancellationToken)
    {
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                lock (text)
                {
                    text.Append(buffer, 0, read);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Cancelled at the deadline: what was read stays.
        }
        catch (IOException)
        {
            // The pipe went away with the process.
        }
        catch (ObjectDisposedException)
        {
            // The process was disposed while a child still held the pipe.
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
}
