using Bev.Chaos.Configuration;
using Bev.Chaos.Events;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests;

/// <summary>The engine as composed: one event stream shared by every part that publishes.</summary>
public sealed class ChaosEngineTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task OpenAsync_SupervisedTargetRestarts_RestartOnTheEngineStream()
    {
        await using var engine = await ChaosEngine.OpenAsync(new ChaosConfiguration(), _data.Path, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Same(engine.Events, engine.Faults.Events);
        using var events = engine.Events.Subscribe();
        var first = engine.Supervisor.Start(new TargetDefinition
        {
            Name = "sleeper",
            Command = ["/bin/sleep", "600"],
            Restart = RestartPolicy.Always,
            RestartDelay = TimeSpan.FromMilliseconds(20),
        });

        Bev.Chaos.Targets.Linux.LibC.TrySignal(first.Pid, Bev.Chaos.Targets.Linux.LibC.SIGKILL);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        var restarted = await ReadRestartAsync(events, deadline.Token);

        Assert.Equal("sleeper", restarted.TargetService);
        Assert.NotEqual(first.Pid, restarted.Pid);
        Assert.True(restarted.Downtime >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Supervisor_ProgramMissing_NamesTargetProgramAndFix_AndCanStartItAgain()
    {
        await using var engine = await ChaosEngine.OpenAsync(new ChaosConfiguration(), _data.Path, cancellationToken: TestContext.Current.CancellationToken);
        var missing = new TargetDefinition { Name = "queue", Command = ["bev-chaos-no-such-program", "--port", "1"] };

        var error = Assert.Throws<InvalidOperationException>(() => engine.Supervisor.Start(missing));

        Assert.Equal(
            "target 'queue': cannot start 'bev-chaos-no-such-program': not found (on PATH, or at that path from the engine's directory), or its interpreter is missing; install it, or change targets.queue.command in the configuration",
            error.Message);
        var noDirectory = Assert.Throws<InvalidOperationException>(() => engine.Supervisor.Start(new TargetDefinition { Name = "queue", Command = ["/bin/sleep", "600"], WorkingDirectory = Path.Combine(_data.Path, "no-such-dir") }));
        Assert.Contains("its working directory", noDirectory.Message, StringComparison.Ordinal);
        Assert.Contains("targets.queue.working_directory", noDirectory.Message, StringComparison.Ordinal);

        // Not left behind half-registered: the same name starts once the command is fixed.
        var fixedTarget = engine.Supervisor.Start(new TargetDefinition { Name = "queue", Command = ["/bin/sleep", "600"] });
        Assert.True(fixedTarget.IsAlive);
    }

    private static async Task<TargetRestartedEvent> ReadRestartAsync(ChaosEventStream.Subscription events, CancellationToken cancellationToken)
    {
        await foreach (var e in events.Reader.ReadAllAsync(cancellationToken))
        {
            if (e is TargetRestartedEvent restarted)
            {
                return restarted;
            }
        }

        throw new InvalidOperationException("the stream ended without a restart");
    }
}
