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
        Assert.Equal(200, server.Requests);
    }

    [Fact]
    public async Task Load_BadRate_ExitsTwo()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "load", "http://127.0.0.1:1/", "--rate", "-5", "--duration", "1s");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--rate: '-5' is not allowed; allowed: 1 to 1,000,000 requests per second", result.Stderr);
    }
}
