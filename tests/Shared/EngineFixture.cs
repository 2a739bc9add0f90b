using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Targets;

namespace Bev.Chaos.TestSupport;

/// <summary>A real store in a temp directory with a manager over it.</summary>
internal sealed class EngineFixture : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();

    public EngineFixture(ChaosConfiguration? configuration = null, TimeProvider? time = null, IEnumerable<FaultInjector>? injectors = null, ProcessSupervisor? supervisor = null)
    {
        Configuration = configuration ?? new ChaosConfiguration();
        Store = ChaosStore.Open(DataDirectory);
        Journal = new FaultJournal(Store);
        try
        {
            Manager = new FaultInjectionManager(Configuration, Journal, new TargetResolver(Configuration, supervisor, Store.RunDirectory), injectors, timeProvider: time);
        }
        catch
        {
            Store.Dispose();
            _directory.Dispose();
            throw;
        }
    }

    public string DataDirectory => _directory.Path;

    public ChaosConfiguration Configuration { get; }

    public ChaosStore Store { get; }

    public FaultJournal Journal { get; }

    public FaultInjectionManager Manager { get; }

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        await Store.DisposeAsync();
        _directory.Dispose();
    }
}
