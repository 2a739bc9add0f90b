using Bev.Chaos.Configuration;
using Bev.Chaos.Events;
using Bev.Chaos.Targets;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Application;

public sealed class ServiceCrashTests
{
    [Fact]
    public async Task Kill_AdHocProcess_ProcessDies()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        await engine.Manager.InjectFaultAsync("service_crash", $"pid:{target.Pid}", duration: TimeSpan.FromSeconds(5), cancellationToken: TestContext.Current.CancellationToken);

        await Poll.UntilAsync(() => target.HasExited, TimeSpan.FromSeconds(2), "the target to die");
    }

    [Fact]
    public async Task Kill_ManagedTarget_SupervisorRestartsAndRecordsIt()
    {
        using var data = new TempDirectory();
        var events = new ChaosEventStream();
        using var restarts = events.Subscribe();
        await using var supervisor = new ProcessSupervisor(Path.Combine(data.Path, "run"), events: events);
        var definition = new TargetDefinition { Name = "worker", Command = ["/bin/sleep", "600"], Restart = RestartPolicy.Always, RestartDelay = TimeSpan.FromMilliseconds(100) };
        var configuration = new ChaosConfiguration { Targets = new Dictionary<string, TargetDefinition> { ["worker"] = definition } };
        var first = supervisor.Start(definition);
        await using var engine = new EngineFixture(configuration, supervisor: supervisor);

        await engine.Manager.InjectFaultAsync("service_crash", "worker", duration: TimeSpan.FromSeconds(5), cancellationToken: TestContext.Current.CancellationToken);
        var second = await supervisor.WaitForRestartAsync("worker", first, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.False(first.IsAlive);
        Assert.True(second.IsAlive);
        var state = supervisor.GetState("worker")!;
        Assert.Equal(1, state.Restarts);
        Assert.InRange(state.LastDowntime!.Value, TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(3));
        var restarted = Assert.IsType<TargetRestartedEvent>(await restarts.Reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal(second.Pid, restarted.Pid);
        Assert.Equal(second.Pid, engine.Manager.Validate("service_crash", "worker", null, null, TimeSpan.FromSeconds(1)).Target.MainProcess.Pid);
    }

    [Fact]
    public async Task Kill_WithSigterm_DeliversThatSignal()
    {
        using var target = TestProcess.Start("/bin/sh", "-c", "trap 'exit 42' TERM; while :; do sleep 0.05; done");
        await using var engine = new EngineFixture();

        await engine.Manager.InjectFaultAsync("service_crash", $"pid:{target.Pid}", parameters: new Dictionary<string, object?> { ["signal"] = "SIGTERM" }, duration: TimeSpan.FromSeconds(5), cancellationToken: TestContext.Current.CancellationToken);

        await Poll.UntilAsync(() => target.HasExited, TimeSpan.FromSeconds(3), "the shell to exit on SIGTERM");
        Assert.Null(ProcessIdentity.TryRead(target.Pid) is { } i && i.IsAlive ? i : null);
    }
}
