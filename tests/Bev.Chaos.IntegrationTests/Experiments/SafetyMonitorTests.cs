using System.Net;
using System.Net.Sockets;
using System.Text;
using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Experiments;

/// <summary>The external health monitor and the unhealthy-share threshold stop experiments.</summary>
public sealed class SafetyMonitorTests
{
    [Fact]
    public async Task HealthMonitorReportingErrors_AbortsTheExperiment()
    {
        using var monitor = new FixedJsonServer("""{"error_rate": 0.9, "cpu_usage": 10}""");
        var safety = new SafetySettings { SafetyMonitoringInterval = TimeSpan.FromMilliseconds(200), MaxErrorRate = 50, MaxCpuUsage = 100, MaxMemoryUsage = 100 };
        await using var f = new ExperimentFixture(safety, integration: new IntegrationSettings { HealthMonitorUrl = monitor.Url });
        await f.WaitHealthyAsync();
        var config = new ExperimentConfig
        {
            Name = "monitored",
            FaultInjections = [new FaultInjectionSpec { InjectorName = "cpu_stress", TargetService = "web", Duration = TimeSpan.FromSeconds(30), Parameters = new Dictionary<string, object?> { ["load_percent"] = 10 } }],
            BaselineDuration = TimeSpan.Zero,
        };

        var result = await f.Engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);

        Assert.Equal(ExperimentVerdict.Aborted, result.Verdict);
        Assert.Equal("health monitor error_rate (max_error_rate)", result.Breach!.Threshold);
        Assert.Equal(90, result.Breach.Observed, 6);
        Assert.Empty(f.Faults.ActiveFaults);
    }

    [Theory]
    [InlineData("abort", 1)]
    [InlineData("breach_after:3", 3)]
    public async Task HealthMonitorUnreachable_AbortOrBreachAfter_AbortsAfterThatManyFailedReads(string policy, int failures)
    {
        using var closed = new RefusingPort();
        Assert.True(HealthMonitorUnreachablePolicy.TryParse(policy, out var parsed));
        var safety = new SafetySettings { SafetyMonitoringInterval = TimeSpan.FromMilliseconds(200), MaxCpuUsage = 100, MaxMemoryUsage = 100 };
        await using var f = new ExperimentFixture(safety, integration: new IntegrationSettings { HealthMonitorUrl = new Uri($"http://127.0.0.1:{closed.Port}/health"), HealthMonitorUnreachable = parsed });
        await f.WaitHealthyAsync();

        var result = await f.Engineer.RunExperimentAsync(CpuStress(TimeSpan.FromSeconds(30)), TestContext.Current.CancellationToken);

        Assert.Equal(ExperimentVerdict.Aborted, result.Verdict);
        Assert.Equal((Safety.SafetyMonitor.HealthMonitorUnreachable, (double)failures), (result.Breach!.Threshold, result.Breach.Observed));
        var injection = result.Phases.Single(p => p.Phase == ExperimentStatus.Injection);
        // Timers may fire a tick early against the wall clock: a few ms of slack, far below one interval.
        var after = result.Breach.Time - injection.Started;
        Assert.True(after >= safety.SafetyMonitoringInterval * failures - TimeSpan.FromMilliseconds(20), $"not before {failures} samples: breach {after.TotalMilliseconds} ms into the injection");
        Assert.Empty(f.Faults.ActiveFaults);
    }

    [Fact]
    public async Task HealthMonitorUnreachable_Ignore_TheExperimentRunsToItsVerdict()
    {
        using var closed = new RefusingPort();
        var safety = new SafetySettings { SafetyMonitoringInterval = TimeSpan.FromMilliseconds(100), MaxCpuUsage = 100, MaxMemoryUsage = 100 };
        await using var f = new ExperimentFixture(safety, integration: new IntegrationSettings { HealthMonitorUrl = new Uri($"http://127.0.0.1:{closed.Port}/health"), HealthMonitorUnreachable = HealthMonitorUnreachablePolicy.Ignore });
        await f.WaitHealthyAsync();

        var result = await f.Engineer.RunExperimentAsync(CpuStress(TimeSpan.FromSeconds(1)), TestContext.Current.CancellationToken);

        Assert.True(result.Verdict == ExperimentVerdict.Passed, string.Join("; ", result.Reasons));
        Assert.Null(result.Breach);
    }

    private static ExperimentConfig CpuStress(TimeSpan duration) => new()
    {
        Name = "monitor-unreachable",
        FaultInjections = [new FaultInjectionSpec { InjectorName = "cpu_stress", TargetService = "web", Duration = duration, Parameters = new Dictionary<string, object?> { ["load_percent"] = 10 } }],
        BaselineDuration = TimeSpan.Zero,
        ValidationDuration = TimeSpan.Zero,
    };

    [Fact]
    public async Task TooManyTargetsUnhealthy_EmergencyStopsEverything()
    {
        using var other = new LoopbackHttpServer();
        var safety = new SafetySettings { SafetyMonitoringInterval = TimeSpan.FromMilliseconds(300), MaxErrorRate = 100, MaxCpuUsage = 100, MaxMemoryUsage = 100 };
        await using var f = new ExperimentFixture(safety);
        await f.WaitHealthyAsync();
        var config = new ExperimentConfig
        {
            Name = "half-down",
            FaultInjections = [new FaultInjectionSpec { InjectorName = "service_pause", TargetService = "web", Duration = TimeSpan.FromSeconds(30) }],
            SteadyStateProbes = [f.Health, new ProbeDefinition { Name = "other", Kind = ProbeKind.Http, Url = new Uri(other.Url) }],
            ProbeInterval = TimeSpan.FromMilliseconds(100),
            BaselineDuration = TimeSpan.FromMilliseconds(300),
        };
        var threshold = f.Configuration with { Global = f.Configuration.Global with { EmergencyStopThreshold = 0.4 } };
        await using var engineer = new ChaosEngineer(threshold, f.Faults, f.Lock, f.Probes);

        var result = await engineer.RunExperimentAsync(config, TestContext.Current.CancellationToken);

        Assert.Equal(ExperimentVerdict.Aborted, result.Verdict);
        Assert.Equal("emergency_stop_threshold", result.Breach!.Threshold);
        Assert.Equal(0.5, result.Breach.Observed);
        Assert.NotNull(await f.Lock.GetAsync(TestContext.Current.CancellationToken));
        Assert.Empty(f.Faults.ActiveFaults);
        Assert.True(Targets.Linux.ProcFs.TryReadStat(f.Supervisor.TryGetCurrent("web")!.Value.Pid)!.Value.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
    }

    /// <summary>Answers a fixed JSON body.</summary>
    private sealed class FixedJsonServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public FixedJsonServer(string body)
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                        var stream = client.GetStream();
                        if (await stream.ReadAsync(new byte[4096], _stop.Token) > 0)
                        {
                            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), _stop.Token);
                        }
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
                {
                }
            });
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/health");

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
