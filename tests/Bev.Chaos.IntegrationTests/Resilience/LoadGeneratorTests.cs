using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bev.Chaos.Resilience;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Resilience;

/// <summary>The load generator against real local HTTP servers.</summary>
public sealed class LoadGeneratorTests
{
    [Fact]
    public async Task Rate500_HeldWithinTwoPercentOverTenSeconds()
    {
        var port = FreePort();
        using var service = TestProcess.Start(Path.Combine(AppContext.BaseDirectory, "Bev.Chaos.SampleService"), "--port", port.ToString(CultureInfo.InvariantCulture), "--workers", "64");
        var url = new Uri($"http://127.0.0.1:{port}/health");
        using var generator = new LoadGenerator();
        await Poll.UntilAsync(async () => (await generator.RunAsync(url, 10, TimeSpan.FromMilliseconds(200), 1, TestContext.Current.CancellationToken)).Errors == 0, TimeSpan.FromSeconds(20), "the sample service to answer");

        var result = await generator.RunAsync(url, 500, TimeSpan.FromSeconds(10), 16, TestContext.Current.CancellationToken);

        Assert.Equal(5000, result.Requests);
        Assert.Equal(0, result.Errors);
        Assert.InRange(result.AchievedRate, 490, 510);
        Assert.False(result.Saturated);
        Assert.All(result.Seconds.Take(10), s => Assert.InRange(s.Requests, 490, 510));
    }

    [Fact]
    public async Task OneSecondStall_ShowsInCorrectedP99Only()
    {
        using var server = new StallingServer(stallAfter: TimeSpan.FromSeconds(1), stall: TimeSpan.FromSeconds(1));
        using var generator = new LoadGenerator();

        var result = await generator.RunAsync(server.Url, 200, TimeSpan.FromSeconds(5), 1, TestContext.Current.CancellationToken);

        // About 200 requests were due during the stall: well over 1 % of 1000, so p99 sees it.
        Assert.InRange(result.Latency.P99, 600, 1200);
        Assert.True(result.UncorrectedLatency.P99 < 100, $"uncorrected p99 was {result.UncorrectedLatency.P99} ms");
        Assert.InRange(result.Latency.Max, 900, 1300);
    }

    [Fact]
    public async Task ImpossibleRate_IsReportedAsSaturated()
    {
        using var server = new StallingServer(stallAfter: TimeSpan.Zero, stall: TimeSpan.Zero, everyResponse: TimeSpan.FromMilliseconds(50));
        using var generator = new LoadGenerator();

        var result = await generator.RunAsync(server.Url, 100, TimeSpan.FromSeconds(1), 1, TestContext.Current.CancellationToken);

        Assert.True(result.Saturated);
        Assert.True(result.Delayed > 50);
        Assert.True(result.Latency.P99 > 500, $"corrected p99 {result.Latency.P99} ms should show the queueing");
    }

    [Fact]
    public async Task BadArguments_NameEachField()
    {
        using var generator = new LoadGenerator();

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => generator.RunAsync(new Uri("ftp://127.0.0.1/"), 0, TimeSpan.Zero, 0, TestContext.Current.CancellationToken));

        Assert.Equal(
            [
                "URL: 'ftp://127.0.0.1/' is not allowed; allowed: an absolute http:// URL",
                "--rate: '0' is not allowed; allowed: 1 to 1,000,000 requests per second",
                "--duration: '0s' is not allowed; allowed: more than 0 and at most 1h",
                "--connections: '0' is not allowed; allowed: 1 to 10,000",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Keep-alive HTTP server that holds one answer for <c>stall</c> once <c>stallAfter</c> has passed.</summary>
    private sealed class StallingServer : IDisposable
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
}
