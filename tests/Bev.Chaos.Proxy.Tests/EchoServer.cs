using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.Proxy.Tests;

/// <summary>A real TCP server on loopback: echoes, or sends a given payload, or closes at once.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<Socket, CancellationToken, Task> _serve;

    private EchoServer(Func<Socket, CancellationToken, Task> serve)
    {
        _serve = serve;
        _listener.Start(1024);
        _loop = AcceptAsync();
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public static EchoServer Echo() => new(async (socket, ct) =>
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ct);
        }

        socket.Shutdown(SocketShutdown.Send);
    });

    /// <summary>Accepts and holds every connection: reads nothing, sends nothing, never closes.</summary>
    public static EchoServer Silent() => new(async (socket, ct) =>
    {
        // Held until the server is disposed: no timer, just the server's own stop.
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (ct.Register(() => stopped.TrySetResult()))
        {
            await stopped.Task;
        }
    });

    /// <summary>Sends <paramref name="payload"/> to every client, then closes.</summary>
    public static EchoServer Sender(byte[] payload) => new(async (socket, ct) =>
    {
        await socket.SendAsync(payload, SocketFlags.None, ct);
        socket.Shutdown(SocketShutdown.Send);
        var sink = new byte[1024];
        while (await socket.ReceiveAsync(sink, SocketFlags.None, ct) > 0)
        {
        }
    });

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        try
                        {
                            await _serve(socket, _stop.Token);
                        }
                        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
                        {
                        }
                    }
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
