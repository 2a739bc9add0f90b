using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.Proxy.Tests;

/// <summary>A client connection through a proxy, with timing helpers.</summary>
internal sealed class ProxyClient : IDisposable
{
    private readonly Socket _socket;

    private ProxyClient(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    public static async Task<ProxyClient> ConnectAsync(ChaosProxy proxy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPEndPoint.Parse(proxy.Listen), TestContext.Current.CancellationToken);
        return new ProxyClient(socket);
    }

    /// <summary>Sends a small message and waits for its echo; returns the round trip.</summary>
    public async Task<TimeSpan> RoundTripAsync(int size = 16)
    {
        var message = new byte[size];
        Random.Shared.NextBytes(message);
        var started = Stopwatch.GetTimestamp();
        await _socket.SendAsync(message, SocketFlags.None, TestContext.Current.CancellationToken);
        var received = 0;
        var buffer = new byte[size];
        while (received < size)
        {
            var read = await _socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, TestContext.Current.CancellationToken);
            Assert.True(read > 0, "the connection closed during a round trip");
            received += read;
        }

        Assert.Equal(message, buffer);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Reads until the peer closes; returns the bytes and the number of reads it took.</summary>
    public async Task<(byte[] Data, int Reads)> ReadToEndAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        var data = new MemoryStream();
        var buffer = new byte[256 * 1024];
        var reads = 0;
        int read;
        while ((read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
        {
            data.Write(buffer, 0, read);
            reads++;
        }

        return (data.ToArray(), reads);
    }

    public void Dispose() => _socket.Dispose();
}
