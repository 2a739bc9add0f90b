using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.TestSupport;

/// <summary>A tiny real HTTP/1.1 server on loopback: every request gets 200 and the same body ("ok" unless told); it counts them.</summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private int _requests;

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
                        var buffer = new byte[4096];
                        try
                        {
                            while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                            {
                                Interlocked.Increment(ref _requests);
                                await stream.WriteAsync(_response, _stop.Token);
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
