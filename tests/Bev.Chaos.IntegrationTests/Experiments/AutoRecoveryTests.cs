using System.Net;
using System.Net.Sockets;
using System.Text;
using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Experiments;

/// <summary>The recovery phase waits for the auto-recovery system (integration.auto_recovery_url) to report healthy.</summary>
public sealed class AutoRecoveryTests
{
    [Fact]
    public async Task Recovery_WaitsForAutoRecoveryToReportHealthy()
    {
        using var recovery = new StatusServer("recovering");
        await using var f = new ExperimentFixture(integration: new IntegrationSettings { AutoRecoveryUrl = recovery.Url, AutoRecoveryJsonPath = "$.state.status", AutoRecoveryExpected = "healthy" });
        await f.WaitHealthyAsync();
        var config = new ExperimentConfig
        {
            Name = "waits-for-recovery",
            FaultInjections = [new FaultInjectionSpec { InjectorName = "cpu_stress", TargetService = "web", Duration = TimeSpan.FromMilliseconds(500), Parameters = new Dictionary<string, object?> { ["load_percent"] = 10 } }],
            BaselineDuration = TimeSpan.Zero,
            ValidationDuration = TimeSpan.Zero,
            ProbeInterval = TimeSpan.FromMilliseconds(100),
            RecoveryWindow = TimeSpan.FromSeconds(10),
        };

        var running = f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => recovery.Requests >= 5, TimeSpan.FromSeconds(20), "the recovery phase polling the auto-recovery system");
        var switched = TimeProvider.System.GetUtcNow();
        recovery.Status = "healthy";
        var result = await running;

        // Its response time runs from the removal to its first healthy answer: after the switch, within a round or two.
        var removed = result.Faults.Single().RemovedAt!.Value;
        Assert.NotNull(result.AutoRecoveryResponseTime);
        Assert.InRange(result.AutoRecoveryResponseTime!.Value.TotalMilliseconds, (switched - removed).TotalMilliseconds - 50, (switched - removed).TotalMilliseconds + 500);
        Assert.True(result.TimeToRecover >= result.AutoRecoveryResponseTime, "recovered no earlier than the auto-recovery system said so");

        Assert.True(result.Verdict == ExperimentVerdict.Passed, string.Join("; ", result.Reasons));
        var phase = result.Phases.Single(p => p.Phase == ExperimentStatus.Recovery);
        Assert.True(phase.Ended - phase.Started >= TimeSpan.FromMilliseconds(400));
        Assert.Contains(result.ProbeResults, p => p.Probe == "auto-recovery" && !p.Success && p.Detail == "$.state.status is recovering, not healthy");
    }

    [Fact]
    public async Task Recovery_NeverHealthy_FailsPastTheWindow()
    {
        using var recovery = new StatusServer("degraded");
        await using var f = new ExperimentFixture(integration: new IntegrationSettings { AutoRecoveryUrl = recovery.Url, AutoRecoveryJsonPath = "$.state.status" });
        await f.WaitHealthyAsync();
        var config = new ExperimentConfig
        {
            Name = "never-recovers",
            FaultInjections = [new FaultInjectionSpec { InjectorName = "cpu_stress", TargetService = "web", Duration = TimeSpan.FromMilliseconds(300), Parameters = new Dictionary<string, object?> { ["load_percent"] = 10 } }],
            BaselineDuration = TimeSpan.Zero,
            ProbeInterval = TimeSpan.FromMilliseconds(100),
            RecoveryWindow = TimeSpan.FromSeconds(1),
        };

        var result = await f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);

        Assert.Equal(ExperimentVerdict.Failed, result.Verdict);
        Assert.Equal("the targets were not healthy again within the recovery window (1 s)", Assert.Single(result.Reasons));
        Assert.Empty(f.Faults.ActiveFaults);
    }

    /// <summary>Answers {"state": {"status": STATUS}} to every request.</summary>
    private sealed class StatusServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _requests;

        public StatusServer(string status)
        {
            Status = status;
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public volatile string Status;

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/status");

        public int Requests => Volatile.Read(ref _requests);

        private async Task LoopAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    var buffer = new byte[4096];
                    if (await stream.ReadAsync(buffer, _stop.Token) > 0)
                    {
                        Interlocked.Increment(ref _requests);
                        var body = $"{{\"state\":{{\"status\":\"{Status}\"}}}}";
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), _stop.Token);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
