using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

/// <summary>`bev-chaos serve` as a real process, and the commands that hand their work to it with --server.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Serve_ThenInjectListRemoveAndStopThroughIt()
    {
        var (api, toxi) = (LoopbackPort.Free(), LoopbackPort.Free());
        using var server = CliRunner.Start(_data.Path, "serve", "--urls", $"http://127.0.0.1:{api}", "--toxiproxy-url", $"http://127.0.0.1:{toxi}");
        var url = $"http://127.0.0.1:{api}";
        using var http = new HttpClient();
        await Poll.UntilAsync(async () =>
        {
            try
            {
                return (await http.GetAsync(url + "/health", TestContext.Current.CancellationToken)).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the server");
        using var target = TestProcess.Sleeper();

        var injected = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "inject", "service_pause", "--target", $"pid:{target.Pid}", "--duration", "60s", "--server", url);
        Assert.True(injected.ExitCode == 0, injected.Stderr);
        var id = injected.Stdout.Trim();
        Assert.StartsWith("service_pause-", id);
        Assert.Equal('T', target.State);

        var listed = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--server", url);
        Assert.Equal(id, JsonDocument.Parse(listed.Stdout).RootElement[0].GetProperty("fault_id").GetString());

        var bad = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "inject", "cpu_stress", "--target", $"pid:{target.Pid}", "--param", "load_percent=500", "--server", url);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("parameters.load_percent", bad.Stderr);

        Assert.Equal(0, (await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "remove", id, "--server", url)).ExitCode);
        Assert.True(target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");

        var stop = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "emergency-stop", "--server", url);
        Assert.True(JsonDocument.Parse(stop.Stdout).RootElement.GetProperty("safety_lock_engaged").GetBoolean());
        Assert.Equal(0, (await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "emergency-stop", "--release", "--server", url)).ExitCode);

        var version = await http.GetStringAsync($"http://127.0.0.1:{toxi}/version", TestContext.Current.CancellationToken);
        Assert.Contains("version", version);
        ProcessExit.RequireSignalDeliverable(2);
        Bev.Chaos.Targets.Linux.LibC.TrySignal(server.Id, 2);
        await ProcessExit.WithinAsync(server, TimeSpan.FromSeconds(30), "serve after SIGINT");
        Assert.Equal(0, server.ExitCode);

        // Structured logs: JSON lines in the data directory's rolling file, the injection among them.
        var log = Path.Combine(_data.Path, "logs", "chaos_engineering.log");
        var lines = (await File.ReadAllLinesAsync(log, TestContext.Current.CancellationToken)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(lines, l => l.GetProperty("@m").GetString()!.Contains(id, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.TryGetProperty("@t", out _)));
    }

    [Fact]
    public async Task Serve_SupervisedTargetCrashes_RestartReachesWebSocketAndMetrics()
    {
        // The engine as `serve` composes it: the supervisor must publish on the stream /ws and /metrics read.
        var config = Path.Combine(_data.Path, "chaos.yaml");
        await File.WriteAllTextAsync(config, """
            targets:
              sleeper:
                kind: process
                command: [/bin/sleep, "600"]
                restart: always
                restart_delay: 50ms
            """, TestContext.Current.CancellationToken);
        var (api, toxi) = (LoopbackPort.Free(), LoopbackPort.Free());
        using var server = CliRunner.Start(_data.Path, "serve", "--config", config, "--urls", $"http://127.0.0.1:{api}", "--toxiproxy-url", $"http://127.0.0.1:{toxi}");
        try
        {
            var url = $"http://127.0.0.1:{api}";
            using var http = new HttpClient();
            await Poll.UntilAsync(async () =>
            {
                try
                {
                    return (await http.GetAsync(url + "/health", TestContext.Current.CancellationToken)).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), "the server");

            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{api}/ws"), TestContext.Current.CancellationToken);
            var messages = new ConcurrentQueue<JsonElement>();
            var receiving = ReceiveAllAsync(socket, messages);

            using var crash = await http.PostAsync(url + "/faults", new StringContent(
                """{"injector_name":"service_crash","target_service":"sleeper","duration_seconds":5}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            Assert.True(crash.StatusCode == System.Net.HttpStatusCode.Created, await crash.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

            // The socket works (the fault's own event arrives), so a missing restart is the supervisor's.
            await Poll.UntilAsync(
                () => messages.Any(m => m.GetProperty("type").GetString() == "fault_injected"),
                TimeSpan.FromSeconds(20), "the crash's fault_injected event on /ws");
            await Poll.UntilAsync(
                () => messages.Any(m => m.GetProperty("type").GetString() == "target_restarted" && m.GetProperty("target_service").GetString() == "sleeper"),
                TimeSpan.FromSeconds(20), "a target_restarted event for sleeper on /ws");
            var restarted = messages.First(m => m.GetProperty("type").GetString() == "target_restarted");
            Assert.True(restarted.GetProperty("pid").GetInt32() > 0);

            var count = await Poll.UntilAsync(
                () => RestartCount(http.GetStringAsync(url + "/metrics", TestContext.Current.CancellationToken).GetAwaiter().GetResult()),
                c => c >= 1, TimeSpan.FromSeconds(20), "bev_chaos_target_restart_downtime_seconds_count of at least 1 in /metrics");
            Assert.True(count >= 1);

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);
            await receiving;
        }
        finally
        {
            ProcessExit.RequireSignalDeliverable(2);
            Bev.Chaos.Targets.Linux.LibC.TrySignal(server.Id, 2);
            await ProcessExit.WithinAsync(server, TimeSpan.FromSeconds(30), "serve after SIGINT");
        }

        Assert.Equal(0, server.ExitCode);
    }

    private static double RestartCount(string metrics) =>
        metrics.Split('\n').Where(l => l.StartsWith("bev_chaos_target_restart_downtime_seconds_count ", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).DefaultIfEmpty(0).First();

    private static async Task ReceiveAllAsync(ClientWebSocket socket, ConcurrentQueue<JsonElement> messages)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                messages.Enqueue(JsonDocument.Parse(message.ToArray()).RootElement.Clone());
            }
        }
        catch (WebSocketException)
        {
            // The server went away: what arrived so far is what the test reads.
        }
    }

    [Fact]
    public async Task Serve_BeyondLoopback_IsRefused()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "serve", "--urls", "http://0.0.0.0:18099");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--urls: 'http://0.0.0.0:18099' is not allowed; allowed: a loopback address, unless auth.tokens are configured: a server reachable from other hosts must not be open to everyone", result.Stderr);
    }

    [Fact]
    public async Task Inject_ServerNotRunning_SaysSo()
    {
        using var refusing = new RefusingPort();
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "inject", "cpu_stress", "--target", "pid:1", "--server", $"http://127.0.0.1:{refusing.Port}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no bev-chaos server answers at", result.Stderr);
    }
}
