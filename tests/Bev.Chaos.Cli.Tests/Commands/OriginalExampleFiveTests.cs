using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

/// <summary>
/// The original documentation's example 5, as written: its three curl requests against
/// `serve --config config/demo.yaml`, whose catalog has the `web-server` the example names.
/// </summary>
[Collection(MeasuredCollection.Name)]
public sealed class OriginalExampleFiveTests : IDisposable
{
    // Verbatim from ORIGINAL-EXAMPLES.md, example 5.
    private const string InjectBody = """
        {
            "injector_name": "network_delay",
            "target_service": "web-server",
            "profile_name": "network_delay_light",
            "parameters": {"delay_ms": 150, "jitter_ms": 30}
          }
        """;

    // web-server's clients come in through the demo catalog's fault proxy here.
    private const string WebServerThroughProxy = "http://127.0.0.1:18080/health";

    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Example5_DemoCatalog_DelaysWebServerThenEmergencyStopClearsItAndStatusSaysSo()
    {
        Requires.Program("redis-server");
        var config = RepositoryFile("config", "demo.yaml");
        var (api, toxi) = (LoopbackPort.Free(), LoopbackPort.Free());
        var url = $"http://127.0.0.1:{api}";
        using var server = CliRunner.Start(_data.Path, "serve", "--config", config, "--urls", url, "--toxiproxy-url", $"http://127.0.0.1:{toxi}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            await Poll.UntilAsync(() => AnswersAsync(http, url + "/health"), TimeSpan.FromSeconds(60), "the server's /health");
            await Poll.UntilAsync(() => AnswersAsync(http, WebServerThroughProxy), TimeSpan.FromSeconds(60), "web-server through its proxy");
            var before = await MedianRoundTripMsAsync(http);

            using var injected = await http.PostAsync(url + "/faults", new StringContent(InjectBody, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            var injectAnswer = await injected.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(injected.StatusCode == HttpStatusCode.Created, injectAnswer);
            var faultId = JsonDocument.Parse(injectAnswer).RootElement.GetProperty("fault_id").GetString();
            var fault = JsonDocument.Parse(await http.GetStringAsync($"{url}/faults/{faultId}", TestContext.Current.CancellationToken)).RootElement;
            Assert.Equal(("network_delay", "web-server", "network_delay_light"),
                (fault.GetProperty("injector_name").GetString(), fault.GetProperty("target_service").GetString(), fault.GetProperty("profile_name").GetString()));
            var during = await MedianRoundTripMsAsync(http);

            using var stopped = await http.PostAsync(url + "/emergency-stop", null, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
            var status = JsonDocument.Parse(await http.GetStringAsync(url + "/status", TestContext.Current.CancellationToken)).RootElement;
            var after = await MedianRoundTripMsAsync(http);

            // 150 ms ± 30 ms of delay on every answer while the fault is in; none before or after.
            Assert.True(before < 50, $"web-server answered in {before:F1} ms before the fault");
            Assert.InRange(during, before + 110, before + 400);
            Assert.Equal(0, status.GetProperty("active_faults").GetInt32());
            Assert.True(status.GetProperty("safety").GetProperty("lock_engaged").GetBoolean());
            Assert.True(after < 50, $"web-server answered in {after:F1} ms after the emergency stop");
        }
        finally
        {
            ProcessExit.RequireSignalDeliverable(2);
            Bev.Chaos.Targets.Linux.LibC.TrySignal(server.Id, 2);
            await ProcessExit.WithinAsync(server, TimeSpan.FromSeconds(30), "serve after SIGINT");
        }

        Assert.Equal(0, server.ExitCode);
        Assert.False(await AnswersAsync(http, WebServerThroughProxy), "web-server's proxy still answers after serve stopped");
    }

    private static async Task<double> MedianRoundTripMsAsync(HttpClient http)
    {
        var times = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(WebServerThroughProxy, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static async Task<bool> AnswersAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url, TestContext.Current.CancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{Path.Combine(parts)} above {AppContext.BaseDirectory}");
    }
}
