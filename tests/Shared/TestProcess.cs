using System.Diagnostics;

namespace Bev.Chaos.TestSupport;

/// <summary>A real process started for a test and always killed afterwards.</summary>
internal sealed class TestProcess : IDisposable
{
    private readonly Process _process;

    private TestProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static TestProcess Start(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new TestProcess(process);
    }

    /// <summary>A sleeping process: the simplest real target.</summary>
    public static TestProcess Sleeper() => Start("/bin/sleep", "600");

    /// <summary>A shell that spins on the CPU forever.</summary>
    public static TestProcess Spinner() => Start("/bin/sh", "-c", "while :; do :; done");

    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    public char State => Bev.Chaos.Targets.Linux.ProcFs.TryReadStat(Pid)?.State ?? 'X';

    public void Dispose()
    {
        try
        {
            // A stopped process must be continued to die promptly of SIGKILL's bookkeeping.
            Bev.Chaos.Targets.Linux.LibC.TrySignal(Pid, 18);
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
