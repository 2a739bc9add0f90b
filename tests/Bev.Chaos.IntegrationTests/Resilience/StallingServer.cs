using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.IntegrationTests.Resilience;

/// <summary>Keep-alive HTTP server that holds one answer for <c>stall</c> once <c>stallAfter</c> has passed.</summary>
internal sealed class StallingServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _stallAfter;
    private readonly TimeSpan _stall;
    private readonly TimeSpan _everyResponse;
    private long _first;
    private int _stalled;

    public StallingServer(TimeSpan stallAfter, TimeSpan stall, TimeSpan everyResponse = default)
    {
        _stallAfter = stallAfter;
        _stall = stall;
        _everyResponse = everyResponse;
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    private async Task LoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            var buffer = new byte[8192];
            try
            {
                while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                {
                    Interlocked.CompareExchange(ref _first, Stopwatch.GetTimestamp(), 0);
                    if (_stall > TimeSpan.Zero && Stopwatch.GetElapsedTime(Interlocked.Read(ref _first)) >= _stallAfter && Interlocked.Exchange(ref _stalled, 1) == 0)
                    {
                        await Task.Delay(_stall, _stop.Token);
                    }

                    if (_everyResponse > TimeSpan.Zero)
                    {
                        await Task.Delay(_everyResponse, _stop.Token);
                    }

                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
