using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Bev.Chaos.Deploy.Tests;

/// <summary>A sleeping process of the test's own: the target, always killed afterwards.</summary>
internal sealed partial class Sleeper : IDisposable
{
    private const int SIGCONT = 18;

    private readonly Process _process = Process.Start(new ProcessStartInfo("/bin/sleep", "600") { UseShellExecute = false })!;

    public int Pid => _process.Id;

    public char State => ProcStat.State(Pid);

    public void Dispose()
    {
        // A stopped process must be continued to die promptly.
        _ = kill(Pid, SIGCONT);
        _process.Kill();
        _process.WaitForExit(5000);
        _process.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
