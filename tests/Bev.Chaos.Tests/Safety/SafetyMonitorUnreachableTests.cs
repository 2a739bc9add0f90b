using Bev.Chaos.Configuration;
using Bev.Chaos.Safety;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests.Safety;

/// <summary>integration.health_monitor_unreachable against a real closed loopback port and a real server.</summary>
public sealed class SafetyMonitorUnreachableTests : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly RefusingPort _closed = new();
    private readonly SafetySettings _settings = new() { MaxCpuUsage = 100, MaxMemoryUsage = 100 };

    private SafetyMonitor Monitor(HealthMonitorUnreachablePolicy? policy, Uri? url = null) =>
        new(_settings, TimeProvider.System, 1.0, new HealthMonitorClient(url ?? new Uri($"http://127.0.0.1:{_closed.Port}/health"), _http), policy);

    private static async Task<List<string?>> CheckAsync(SafetyMonitor monitor, int times)
    {
        var breaches = new List<string?>();
        for (var i = 0; i < times; i++)
        {
            breaches.Add((await monitor.CheckAsync([], TestContext.Current.CancellationToken))?.Threshold);
        }

        return breaches;
    }

    [Fact]
    public async Task CheckAsync_Abort_BreachesAtTheFirstFailedRead()
    {
        Assert.Equal([SafetyMonitor.HealthMonitorUnreachable], await CheckAsync(Monitor(HealthMonitorUnreachablePolicy.Abort), 1));
    }

    [Fact]
    public async Task CheckAsync_Ignore_NeverBreaches()
    {
        Assert.Equal([null, null, null, null, null], await CheckAsync(Monitor(HealthMonitorUnreachablePolicy.Ignore), 5));
    }

    [Fact]
    public async Task CheckAsync_BreachAfterThree_BreachesAtTheThirdFailureInARow()
    {
        var monitor = Monitor(new HealthMonitorUnreachablePolicy(3));

        Assert.Equal([null, null, SafetyMonitor.HealthMonitorUnreachable], await CheckAsync(monitor, 3));
        var breach = await monitor.CheckAsync([], TestContext.Current.CancellationToken);
        Assert.Equal((4.0, 2.0), (breach!.Observed, breach.Limit));
    }

    [Fact]
    public async Task CheckAsync_Default_IsBreachAfterThree()
    {
        Assert.Equal(new HealthMonitorUnreachablePolicy(3), HealthMonitorUnreachablePolicy.Default);
        Assert.Equal([null, null, SafetyMonitor.HealthMonitorUnreachable], await CheckAsync(Monitor(null), 3));
    }

    [Fact]
    public async Task CheckAsync_ReachableMonitor_NoBreach()
    {
        using var server = new LoopbackHttpServer();

        Assert.Equal([null, null], await CheckAsync(Monitor(HealthMonitorUnreachablePolicy.Abort, new Uri(server.Url)), 2));
        Assert.Equal(2, server.Requests);
    }

    public void Dispose()
    {
        _http.Dispose();
        _closed.Dispose();
    }
}
