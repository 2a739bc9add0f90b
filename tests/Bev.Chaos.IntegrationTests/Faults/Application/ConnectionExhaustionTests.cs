using System.Net;
using System.Net.Sockets;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Application;

public sealed class ConnectionExhaustionTests
{
    [Fact]
    public async Task Connections_AreEstablishedAndHeld_ThenClosed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(1024);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var acceptLoop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await listener.AcceptSocketAsync(stop.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, TestContext.Current.CancellationToken);
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var id = await engine.Manager.InjectFaultAsync("connection_exhaustion", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["connections"] = 200, ["port"] = port }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(200, ProcFs.CountEstablishedTo(port));
        var helper = await Measure.HelperOfAsync(engine.Journal, id);
        await engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => ProcFs.CountEstablishedTo(port), n => n == 0, TimeSpan.FromSeconds(5), "every connection closed");
        Assert.False(helper.IsAlive);

        await stop.CancelAsync();
        await acceptLoop;
        accepted.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Connections_NobodyListening_FailsAndLeavesNothing()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();
        using var refusing = new RefusingPort();
        var port = refusing.Port;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.Manager.InjectFaultAsync("connection_exhaustion", $"pid:{target.Pid}",
            parameters: new Dictionary<string, object?> { ["connections"] = 5, ["port"] = port }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal($"no connection to 127.0.0.1:{port} could be opened (is the target listening?)", error.Message);
        Assert.Empty(await engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Connections_TargetWithoutPort_IsInvalid()
    {
        using var target = TestProcess.Sleeper();
        await using var engine = new EngineFixture();

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => engine.Manager.InjectFaultAsync("connection_exhaustion", $"pid:{target.Pid}", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("parameters.port: missing; allowed: a TCP port from 1 to 65535 (the target has no port in the catalog)", error.Message);
    }
}
