using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bev.Chaos.Helper;

/// <summary>
/// Opens <c>count</c> TCP connections to the target and holds them. With <c>trickle</c> each
/// connection sends an HTTP request one header line at a time and never finishes it, so servers
/// that wait for whole requests keep a worker busy per connection.
/// </summary>
internal sealed class ConnectionHold(string host, int port, int count, bool trickle) : IHelperEffect
{
    public async Task RunAsync(Action<string> ready, CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(host);
        var sockets = new List<Socket>(count);
        var failures = 0;
        try
        {
            // Bounded parallel connects: fast, without a SYN flood of our own making.
            using var gate = new SemaphoreSlim(64);
            var connects = Enumerable.Range(0, count).Select(async _ =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                    lock (sockets)
                    {
                        sockets.Add(socket);
                    }
                }
                catch (SocketException)
                {
                    socket.Dispose();
                    Interlocked.Increment(ref failures);
                }
                finally
                {
                    gate.Release();
                }
            });
            await Task.WhenAll(connects).ConfigureAwait(false);
            ready($"{sockets.Count} {failures}");

            if (trickle)
            {
                var header = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\n");
                foreach (var socket in sockets)
                {
                    TrySend(socket, header);
                }

                var line = Encoding.ASCII.GetBytes("X-Bev-Chaos: hold\r\n");
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), TimeProvider.System, cancellationToken).ConfigureAwait(false);
                    foreach (var socket in sockets)
                    {
                        TrySend(socket, line);
                    }
                }
            }

            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static void TrySend(Socket socket, byte[] bytes)
    {
        try
        {
            socket.Send(bytes);
        }
        catch (SocketException)
        {
            // A peer that closed on us is simply one connection fewer.
        }
    }
}
