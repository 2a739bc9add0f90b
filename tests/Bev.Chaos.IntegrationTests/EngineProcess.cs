using System.Diagnostics;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.IntegrationTests;

/// <summary>A real bev-chaos process (the CLI built beside the tests) that a test can kill.</summary>
internal sealed class EngineProcess : IDisposable
{
    private readonly Process _process;

    private EngineProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static EngineProcess Start(string dataDirectory, params string[] args)
    {
        var process = Bev.Chaos.TestSupport.BevChaosCli.Start(dataDirectory, args);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new EngineProcess(process);
    }

    public void Kill() => LibC.TrySignal(Pid, LibC.SIGKILL);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
