using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.TestSupport;

/// <summary>A tiny real HTTP/1.1 server on loopback: every request gets 200 and the same body ("ok" unless told); it counts them.</summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private int _requests;

    private readonly System.Collections.Concurrent.ConcurrentQueue<SeenRequest> _seen = new();
    private volatile byte[] _response = [];

    public LoopbackHttpServer(string body = "ok", string contentType = "text/plain")
    {
        Answer(body, contentType);
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    /// <summary>What every request gets from now on.</summary>
    public void Answer(string body, string contentType = "text/plain") =>
        _response = System.Text.Encoding.UTF8.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}/health";

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The requests received (the first thousand), in order: each one's head (request line and headers) and body.</summary>
    public IReadOnlyCollection<SeenRequest> Seen => _seen;

    private static int HeadEnd(byte[] buffer, int received)
    {
        var at = buffer.AsSpan(0, received).IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : at + 4;
    }

    private static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private async Task LoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[64 * 1024];
                        var received = 0;
                        try
                        {
                            while (true)
                            {
                                // One whole request (its head, and the body its Content-Length gives), then one answer.
                                int end;
                                while ((end = HeadEnd(buffer, received)) < 0)
                                {
                                    var read = await stream.ReadAsync(buffer.AsMemory(received), _stop.Token);
                                    if (read == 0)
                                    {
                                        return;
                                    }

                                    received += read;
                                }

                                var head = System.Text.Encoding.ASCII.GetString(buffer, 0, end);
                                var length = ContentLength(head);
                                while (received < end + length)
                                {
                                    var read = await stream.ReadAsync(buffer.AsMemory(received), _stop.Token);
                                    if (read == 0)
                                    {
                                        return;
                                    }

                                    received += read;
                                }

                                if (_seen.Count < 1000)
                                {
                                    _seen.Enqueue(new SeenRequest(head, System.Text.Encoding.UTF8.GetString(buffer, end, length)));
                                }

                                Interlocked.Increment(ref _requests);
                                await stream.WriteAsync(_response, _stop.Token);
                                Buffer.BlockCopy(buffer, end + length, buffer, 0, received - end - length);
                                received -= end + length;
                            }
                        }
                        catch (Exception ex) when (ex is IOException or OperationCanceledException)
                        {
                        }
                    }
                });
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}

/// <summary>One request a <see cref="LoopbackHttpServer"/> received.</summary>
/// <param name="Head">The request line and the headers, as sent.</param>
/// <param name="Body">The body.</param>
internal sealed record SeenRequest(string Head, string Body);
