using System.Diagnostics;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Targets;

namespace Bev.Chaos.Bench;

/// <summary>A real engine over a throw-away store, and real target processes.</summary>
internal sealed class BenchEngine : IAsyncDisposable
{
    private readonly List<Process> _processes = [];

    public BenchEngine()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "bev-chaos-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Store = ChaosStore.Open(DataDirectory);
        var configuration = new ChaosConfiguration();
        Journal = new FaultJournal(Store);
        Manager = new FaultInjectionManager(configuration, Journal, new TargetResolver(configuration));
    }

    public string DataDirectory { get; }

    public ChaosStore Store { get; }

    public FaultJournal Journal { get; }

    public FaultInjectionManager Manager { get; }

    public int Sleeper()
    {
        var process = Process.Start(new ProcessStartInfo("/bin/sleep", "3600") { UseShellExecute = false })!;
        _processes.Add(process);
        return process.Id;
    }

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        foreach (var process in _processes)
        {
            try
            {
                process.Kill();
                process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
            }
        }

        await Store.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
