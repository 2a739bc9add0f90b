using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Network;

/// <summary>Network faults through the fault proxy on a catalog target's real proxied dependency.</summary>
public sealed class ProxyNetworkFaultTests : IAsyncLifetime
{
    private TcpListener _echo = null!;
    private ProxiedTargetEngine _engine = null!;
    private int _proxyPort;
    private CancellationTokenSource _stop = null!;

    public ValueTask InitializeAsync()
    {
        _echo = new TcpListener(IPAddress.Loopback, 0);
        _echo.Start();
        _stop = new CancellationTokenSource();
        _ = EchoAsync(_echo, _stop.Token);
        _proxyPort = LoopbackPort.Free();

        _engine = new ProxiedTargetEngine(new Dictionary<string, ProxyRoute> { ["cache"] = new($"127.0.0.1:{_proxyPort}", $"127.0.0.1:{((IPEndPoint)_echo.LocalEndpoint).Port}") });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _stop.CancelAsync();
        _echo.Stop();
    }

    [Fact]
    public async Task NetworkDelay_OnProxiedDependency_AddsLatencyThenGoes()
    {
        var id = await _engine.Manager.InjectFaultAsync("network_delay", "analyzer", "network_delay_light", new Dictionary<string, object?> { ["jitter_ms"] = 0 }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        using var client = await ConnectAsync();

        var delayed = await RoundTripMsAsync(client);
        Assert.InRange(delayed, 98, 140);
        Assert.Single(_engine.Proxies.Get("analyzer.cache").Toxics);

        await _engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        Assert.Empty(_engine.Proxies.Get("analyzer.cache").Toxics);
        Assert.True(await RoundTripMsAsync(client) < 20);
    }

    [Fact]
    public async Task NetworkPartition_OnProxy_RefusesThenHeals()
    {
        using (var before = await ConnectAsync())
        {
            Assert.True(await RoundTripMsAsync(before) < 50);
        }

        var id = await _engine.Manager.InjectFaultAsync("network_partition", "analyzer", null, null, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<SocketException>(ConnectAsync);

        await _engine.Manager.RemoveFaultAsync(id, TestContext.Current.CancellationToken);
        using var after = await ConnectAsync();
        Assert.True(await RoundTripMsAsync(after) < 50);
    }

    [Fact]
    public async Task ConnectionReset_ResetsProxiedConnections()
    {
        using var client = await ConnectAsync();
        await RoundTripMsAsync(client);

        await _engine.Manager.InjectFaultAsync("connection_reset", "analyzer", null, new Dictionary<string, object?> { ["timeout_ms"] = 50 }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            var buffer = new byte[16];
            while (await client.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken) > 0)
            {
            }
        });
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
    }

    [Fact]
    public async Task ProxyFault_TargetWithoutProxies_SaysWhy()
    {
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _engine.Manager.InjectFaultAsync("data_limit", $"pid:{_engine.TargetPid}", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal($"parameters.mechanism: 'kernel' is not allowed; allowed: proxy (data_limit has no kernel mechanism; the target has no proxied dependencies)", error.Message);
    }

    [Fact]
    public async Task NetworkDelay_ShapedJitterOnTheProxy_IsRefusedSayingKernel_AndNothingIsApplied()
    {
        var shaped = await Assert.ThrowsAsync<ChaosValidationException>(() => _engine.Manager.InjectFaultAsync("network_delay", "analyzer", null,
            new Dictionary<string, object?> { ["jitter_ms"] = 20, ["distribution"] = "normal" }, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        var withoutJitter = await Assert.ThrowsAsync<ChaosValidationException>(() => _engine.Manager.InjectFaultAsync("network_delay", "analyzer", null,
            new Dictionary<string, object?> { ["mechanism"] = "kernel", ["device"] = "lo", ["correlation_percent"] = 25 }, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        Assert.Equal("parameters.distribution: 'normal' is not allowed; allowed: the default (uniform) with the proxy mechanism: only the kernel's netem correlates or shapes jitter — add mechanism: kernel", shaped.Message);
        Assert.Contains("parameters.correlation_percent: '25' is not allowed; allowed: a jitter to shape: set jitter_ms above 0", withoutJitter.Errors.Select(e => e.ToString()));
        Assert.Empty(_engine.Proxies.Get("analyzer.cache").Toxics);
        Assert.Empty(_engine.Manager.ActiveFaults);
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _proxyPort), TestContext.Current.CancellationToken);
        return socket;
    }

    private static async Task<double> RoundTripMsAsync(Socket socket)
    {
        var started = Stopwatch.GetTimestamp();
        await socket.SendAsync(new byte[] { 42 }, SocketFlags.None, TestContext.Current.CancellationToken);
        var buffer = new byte[1];
        Assert.Equal(1, await socket.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken));
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task EchoAsync(TcpListener listener, CancellationToken token)
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync(token);
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        var buffer = new byte[1024];
                        try
                        {
                            int read;
                            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, token)) > 0)
                            {
                                await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, token);
                            }
                        }
                        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                        {
                        }
                    }
                }, token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }
}
