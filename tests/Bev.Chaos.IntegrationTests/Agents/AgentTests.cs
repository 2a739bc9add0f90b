using System.Diagnostics;
using Bev.Chaos.Configuration;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Agents;

/// <summary>
/// A controller (this process) and three real agents, each in a network namespace of the test's
/// own: faults through agents take effect, a partitioned agent reverts its fault within the lease
/// by itself, emergency stop clears every host, an agent restart reverts, bad agents are errors.
/// </summary>
public sealed class AgentTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private readonly TempDirectory _data = new();
    private readonly List<TestProcess> _targets = [];

    public void Dispose()
    {
        _targets.ForEach(t => t.Dispose());
        _data.Dispose();
    }

    [Fact]
    public async Task ThreeAgents_PartitionedOneRevertsWithinItsLease_EmergencyStopClearsTheRest()
    {
        using var hosts = new AgentHosts(3);
        for (var i = 1; i <= 3; i++)
        {
            await hosts.StartAgentAsync(i);
            _targets.Add(TestProcess.Sleeper());
        }

        // The third through a catalog entry of kind agent, the others ad hoc.
        var catalog = new Dictionary<string, TargetDefinition> { ["worker"] = new() { Name = "worker", Kind = TargetKind.Agent, Host = "h3", Service = $"pid:{_targets[2].Pid}" } };
        await using var controller = await ChaosEngine.OpenAsync(new ChaosConfiguration { Agents = hosts.Definitions(Lease), Targets = catalog }, _data.Path, cancellationToken: TestContext.Current.CancellationToken);
        for (var i = 1; i <= 2; i++)
        {
            await controller.Faults.InjectFaultAsync("service_pause", $"agent:{AgentHosts.Name(i)}/pid:{_targets[i - 1].Pid}", duration: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);
        }

        await controller.Faults.InjectFaultAsync("service_pause", "worker", duration: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);

        Assert.All(_targets, t => Assert.Equal('T', t.State));
        Assert.Equal(3, controller.Agents!.Faults.Count);

        hosts.Partition(2);
        var partitioned = Stopwatch.GetTimestamp();
        await Poll.UntilAsync(() => _targets[1].State == 'S', Lease + TimeSpan.FromSeconds(3), "the partitioned agent to revert its fault");
        var took = Stopwatch.GetElapsedTime(partitioned);

        // Within the lease (plus one renewal interval, the most the last renewal can precede the cut).
        Assert.True(took <= Lease + (Lease / 3) + TimeSpan.FromMilliseconds(500), $"reverted after {took.TotalSeconds:0.00} s with a {Lease.TotalSeconds} s lease");
        Assert.Equal(('T', 'T'), (_targets[0].State, _targets[2].State));

        var removed = await controller.Faults.EmergencyStopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, removed);
        Assert.All(_targets, t => Assert.True(t.State is 'R' or 'S', "running again"));
        Assert.Empty(controller.Agents.Faults);
    }

    [Fact]
    public async Task AgentKilledAndRestarted_RevertsFromItsOwnJournal()
    {
        using var hosts = new AgentHosts(1);
        await hosts.StartAgentAsync(1);
        var target = Track(TestProcess.Sleeper());
        await using var controller = await ChaosEngine.OpenAsync(new ChaosConfiguration { Agents = hosts.Definitions(TimeSpan.FromMinutes(1)) }, _data.Path, cancellationToken: TestContext.Current.CancellationToken);
        await controller.Faults.InjectFaultAsync("service_pause", $"agent:h1/pid:{target.Pid}", duration: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal('T', target.State);

        hosts.KillAgent(1);
        Assert.Equal('T', target.State);
        await hosts.StartAgentAsync(1);

        await Poll.UntilAsync(() => target.State == 'S', TimeSpan.FromSeconds(5), "the restarted agent to revert what its dead self left");
    }

    [Fact]
    public async Task WrongTokenUnknownOrUnreachableAgent_AreClearErrorsAndNothingIsApplied()
    {
        using var hosts = new AgentHosts(2);
        await hosts.StartAgentAsync(1);
        var target = Track(TestProcess.Sleeper());
        var agents = new Dictionary<string, AgentDefinition>
        {
            ["h1"] = new("h1", AgentHosts.Url(1), "not-the-agents-token-at-all", Lease),
            ["h2"] = new("h2", AgentHosts.Url(2), AgentHosts.Token, Lease),
        };
        await using var controller = await ChaosEngine.OpenAsync(new ChaosConfiguration { Agents = agents }, _data.Path, cancellationToken: TestContext.Current.CancellationToken);

        var wrongToken = await Assert.ThrowsAsync<ChaosValidationException>(() => controller.Faults.InjectFaultAsync("service_pause", $"agent:h1/pid:{target.Pid}", cancellationToken: TestContext.Current.CancellationToken));
        var unreachable = await Assert.ThrowsAsync<ChaosValidationException>(() => controller.Faults.InjectFaultAsync("service_pause", $"agent:h2/pid:{target.Pid}", cancellationToken: TestContext.Current.CancellationToken));
        var unknown = await Assert.ThrowsAsync<ChaosValidationException>(() => controller.Faults.InjectFaultAsync("service_pause", $"agent:h9/pid:{target.Pid}", cancellationToken: TestContext.Current.CancellationToken));
        var malformed = Assert.Throws<ChaosValidationException>(() => controller.Faults.Check(new Bev.Chaos.Faults.FaultRequest("service_pause", "agent:h1")));

        Assert.Contains("an agent that accepts this controller's token (h1 at http://198.18.90.6:18181/ answered 401", wrongToken.Message);
        Assert.Contains("a reachable agent (h2 at http://198.18.90.10:18181/", unreachable.Message);
        Assert.Equal($"target_service: 'agent:h9/pid:{target.Pid}' is not allowed; allowed: an agent configured under agents: h1, h2", unknown.Message);
        Assert.StartsWith("target_service: 'agent:h1' is not allowed; allowed: agent:NAME/SERVICE", malformed.Message);
        Assert.True(target.State is 'R' or 'S', "never paused");
        Assert.Empty(controller.Agents!.Faults);
    }

    private TestProcess Track(TestProcess process)
    {
        _targets.Add(process);
        return process;
    }
}
