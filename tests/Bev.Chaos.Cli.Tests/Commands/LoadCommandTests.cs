using System.Text.Json;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

public sealed class LoadCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Load_JsonOutput_HasTheContractFields()
    {
        using var server = new LoopbackHttpServer();

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "load", server.Url, "--rate", "100", "--duration", "2s", "--connections", "4", "--output", "json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(200, json.GetProperty("requests").GetInt64());
        Assert.Equal(0, json.GetProperty("errors").GetInt64());
        Assert.InRange(json.GetProperty("achieved_rate").GetDouble(), 95, 105);
        var latency = json.GetProperty("latency_ms");
        Assert.All(new[] { "p50", "p90", "p99", "max" }, p => Assert.True(latency.GetProperty(p).GetDouble() > 0));
        Assert.False(json.GetProperty("saturated").GetBoolean());
        Assert.True(json.GetProperty("schedule_lag_ms").GetProperty("p99").GetDouble() >= 0);

        // The 200 timed requests and one warm-up request per connection, which does not count.
        Assert.Equal(204, server.Requests);
    }

    [Fact]
    public async Task Load_BadRate_ExitsTwo()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "load", "http://127.0.0.1:1/", "--rate", "-5", "--duration", "1s");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--rate: '-5' is not allowed; allowed: 1 to 1,000,000 requests per second", result.Stderr);
    }

    [Fact]
    public async Task Load_TcpWithoutPayload_ExitsTwoNamingPayload()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "load", "tcp://127.0.0.1:6379", "--rate", "10", "--duration", "1s");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--payload: '' is not allowed; allowed: the bytes to send on each request", result.Stderr);
    }

    [Fact]
    public async Task Load_TcpEcho_SendsThePayloadAndReadsEachAnswer()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var received = 0;
        // Two connections, so a request slowed by a busy machine does not hold up the next one.
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[1024];
                        int read;
                        while ((read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
                        {
                            Interlocked.Add(ref received, buffer.AsSpan(0, read).Count((byte)'\n'));
                            await stream.WriteAsync(buffer.AsMemory(0, read), TestContext.Current.CancellationToken);
                        }
                    }
                }, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "load", $"tcp://127.0.0.1:{port}", "--payload", "hello\\n", "--rate", "50", "--duration", "1s", "--connections", "2", "--output", "json");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var json = System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal((50L, 0L), (json.GetProperty("requests").GetInt64(), json.GetProperty("errors").GetInt64()));

        // The 50 timed requests and one uncounted warm-up request per connection.
        Assert.Equal(52, Volatile.Read(ref received));
    }
}
