using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bev.Chaos.Proxy.FastPath;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Proxy.Tests.FastPath;

/// <summary>The fast path for toxic-free links, on real loopback sockets.</summary>
public sealed class FastPathTests : IAsyncLifetime
{
    private readonly ProxyCollection _proxies = new();

    public ValueTask InitializeAsync()
    {
        if (!ForwardingEngine.Available)
        {
            Requires.Capability("the proxy's fast path (Linux on x86-64)");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _proxies.DisposeAsync();

    [Fact]
    public async Task ManyConnections_BothDirectionsAtOnce_ArriveIntact()
    {
        // Both links of every connection forward at once on a shared engine: each socket is read by
        // one link and written by the other.
        const int Connections = 48;
        const int Size = 2 * 1024 * 1024;
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("many", null, server.Address);

        var echoed = await Task.WhenAll(Enumerable.Range(0, Connections).Select(async i =>
        {
            var payload = new byte[Size];
            new Random(i).NextBytes(payload);
            using var client = await ProxyClient.ConnectAsync(proxy);
            var sending = Task.Run(async () =>
            {
                await client.Socket.SendAsync(payload, SocketFlags.None);
                client.Socket.Shutdown(SocketShutdown.Send);
            });
            var (data, _) = await client.ReadToEndAsync(TimeSpan.FromSeconds(60));
            await sending;
            return payload.AsSpan().SequenceEqual(data);
        }));

        Assert.All(echoed, Assert.True);
        Assert.True(proxy.BytesOnFastPath >= 2L * Connections * Size, $"both directions should have gone through the fast path; it moved {proxy.BytesOnFastPath} bytes");
    }

    [Fact]
    public async Task HalfClose_PassesEachWay_AfterTheLastByte()
    {
        // The FIN comes with the data: the fast path must still read on to the end.
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("half-close", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        var payload = new byte[300_000];
        Random.Shared.NextBytes(payload);

        await client.Socket.SendAsync(payload, SocketFlags.None, TestContext.Current.CancellationToken);
        client.Socket.Shutdown(SocketShutdown.Send);
        var (data, _) = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(payload, data);
    }

    [Fact]
    public async Task ToxicRemoved_LinkReturnsToTheFastPath()
    {
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("return", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        proxy.AddToxic(ToxicTypes.Define(null, "latency", "downstream", null, new Dictionary<string, long> { ["latency"] = 40 }));
        Assert.InRange((await client.RoundTripAsync()).TotalMilliseconds, 38, 200);

        proxy.RemoveToxic("latency_downstream");
        Assert.True((await client.RoundTripAsync()).TotalMilliseconds < 20);
        var before = proxy.BytesOnFastPath;
        var payload = new byte[4 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        var sending = client.Socket.SendAsync(payload, SocketFlags.None, TestContext.Current.CancellationToken);
        var received = new byte[payload.Length];
        var total = 0;
        while (total < received.Length)
        {
            total += await client.Socket.ReceiveAsync(received.AsMemory(total), SocketFlags.None, TestContext.Current.CancellationToken);
        }

        await sending;
        Assert.Equal(payload, received);
        await Poll.UntilAsync(() => proxy.BytesOnFastPath - before, moved => moved >= 2L * payload.Length, TimeSpan.FromSeconds(5), "both links back on the fast path");
    }

    [Fact]
    public async Task NativeConnect_ConnectsWithoutDotNetsEpoll_AndReportsRefusal()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        await NativeConnect.ConnectAsync(socket, endpoint, ForwardingEngine.Next(), TestContext.Current.CancellationToken);
        using var accepted = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        Assert.Equal(3, await socket.SendAsync(new byte[] { 1, 2, 3 }, SocketFlags.None, TestContext.Current.CancellationToken));
        var buffer = new byte[3];
        Assert.Equal(3, await accepted.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken));
        Assert.Null(RuntimeEntry(socket));

        listener.Stop();
        using var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var error = await Assert.ThrowsAsync<SocketException>(() => NativeConnect.ConnectAsync(refused, endpoint, ForwardingEngine.Next(), TestContext.Current.CancellationToken));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public async Task RuntimeRegistration_SilencedWhileForwarding_ThenRestored()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint, TestContext.Current.CancellationToken);
        using var server = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);

        // A receive that has to wait puts the socket in .NET's epoll set.
        using (var cancel = new CancellationTokenSource())
        {
            var waiting = server.ReceiveAsync(new byte[1], SocketFlags.None, cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        }

        var before = RuntimeEntry(server) ?? throw new InvalidOperationException("the socket should be in .NET's epoll set");
        Assert.NotEqual(0u, before & Native.EpollIn);
        var registration = new RuntimeEpollRegistration(server);
        registration.MarkUsedByRuntime();

        registration.Silence(RuntimeEpollRegistration.Readable);
        var silenced = RuntimeEntry(server);
        registration.Restore(RuntimeEpollRegistration.Readable);
        var restored = RuntimeEntry(server);

        Assert.Equal(0u, silenced!.Value & Native.EpollIn);
        Assert.NotEqual(0u, silenced.Value & Native.EpollOut);
        Assert.Equal(before, restored);
        var buffer = new byte[1];
        var receiving = server.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken);
        await client.SendAsync(new byte[] { 7 }, SocketFlags.None, TestContext.Current.CancellationToken);
        Assert.Equal(1, await receiving.AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.Equal(7, buffer[0]);
    }

    [Fact]
    public async Task Ipv6_AcceptedConnectedAndForwarded()
    {
        using var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        try
        {
            listener.Start();
        }
        catch (SocketException)
        {
            Requires.Capability("IPv6 on loopback (::1)");
            return;
        }

        var serving = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
            var buffer = new byte[16];
            var read = await accepted.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken);
            await accepted.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, TestContext.Current.CancellationToken);
            return ((IPEndPoint)accepted.RemoteEndPoint!).Address;
        });
        var proxy = _proxies.Create("ipv6", "[::1]:0", $"[::1]:{((IPEndPoint)listener.LocalEndpoint).Port}");
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPEndPoint.Parse(proxy.Listen), TestContext.Current.CancellationToken);

        await client.SendAsync("ping"u8.ToArray(), SocketFlags.None, TestContext.Current.CancellationToken);
        var answer = new byte[4];
        var total = 0;
        while (total < answer.Length)
        {
            total += await client.ReceiveAsync(answer.AsMemory(total), SocketFlags.None, TestContext.Current.CancellationToken);
        }

        Assert.Equal("ping"u8.ToArray(), answer);
        Assert.Equal(IPAddress.IPv6Loopback, await serving);
        await Poll.UntilAsync(() => proxy.BytesOnFastPath, moved => moved >= 8, TimeSpan.FromSeconds(5), "both ways on the fast path");
    }

    [Fact]
    public void EpollFdinfoLine_IsParsed()
    {
        Assert.True(RuntimeEpollRegistration.TryParseEntry("tfd:      194 events: 8000001d data:                3  pos:0 ino:4903b6 sdev:9", out var fd, out var events, out var data));
        Assert.Equal((194, 0x8000001du, 3ul), (fd, events, data));
        Assert.False(RuntimeEpollRegistration.TryParseEntry("pos:\t0", out _, out _, out _));
    }

    // The events .NET's epoll set has for the socket, or null when it is not in any set but ours.
    private static uint? RuntimeEntry(Socket socket)
    {
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        foreach (var link in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            var name = Path.GetFileName(link);
            try
            {
                if (new FileInfo(link).LinkTarget != "anon_inode:[eventpoll]" || ForwardingEngine.IsOwnEpoll(int.Parse(name, CultureInfo.InvariantCulture)))
                {
                    continue;
                }

                foreach (var line in File.ReadLines("/proc/self/fdinfo/" + name))
                {
                    if (RuntimeEpollRegistration.TryParseEntry(line, out var entryFd, out var events, out _) && entryFd == fd)
                    {
                        return events;
                    }
                }
            }
            catch (IOException)
            {
                // A descriptor closed while looking: not the socket's set.
            }
        }

        return null;
    }
}
