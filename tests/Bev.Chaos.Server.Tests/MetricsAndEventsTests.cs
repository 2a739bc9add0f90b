using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Configuration;
using Bev.Chaos.Proxy;
using Bev.Chaos.Scenarios;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Server.Tests;

/// <summary>/metrics and /ws over real HTTP.</summary>
public sealed class MetricsAndEventsTests : IAsyncLifetime
{
    private readonly TestProcess _target = TestProcess.Sleeper();
    private ServerUnderTest _running = null!;

    public async ValueTask InitializeAsync()
    {
        _running = await ServerUnderTest.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _running.DisposeAsync();
        _target.Dispose();
    }

    private async Task<string> InjectAsync(string body)
    {
        using var response = await _running.Http.PostAsync("/faults", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("fault_id").GetString()!;
    }

    [Fact]
    public async Task Metrics_CountFaultsLatencyAndProxyToxics()
    {
        var id = await InjectAsync($$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":30}""");
        await _running.Http.DeleteAsync($"/faults/{id}", TestContext.Current.CancellationToken);
        var proxy = _running.Engine.Proxies.Create("cache", "127.0.0.1:0", "127.0.0.1:9");
        proxy.AddToxic(ToxicTypes.Define(null, "latency", null, null, new Dictionary<string, long> { ["latency"] = 10 }));

        var text = await Poll.UntilAsync(() => _running.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken).GetAwaiter().GetResult(),
            t => t.Contains("bev_chaos_faults_removed_total{injector=\"service_pause\",reason=\"requested\"} 1", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the removal counted");

        Assert.Contains("bev_chaos_faults_injected_total{injector=\"service_pause\"} 1", text);
        Assert.Contains("bev_chaos_inject_latency_seconds_count{injector=\"service_pause\"} 1", text);
        Assert.Contains("bev_chaos_active_faults 0", text);
        Assert.Contains("bev_chaos_proxy_toxic_connections{proxy=\"cache\",toxic=\"latency_downstream\"} 0", text);
        Assert.Contains("bev_chaos_api_request_duration_seconds_bucket{method=\"POST\",status=\"201\"", text);
        Assert.All(text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')), l => Assert.Matches(@"^[a-z_]+(\{[^}]*\})? [-+0-9.eE]+$|^[a-z_]+(\{[^}]*\})? (\+Inf|NaN)$", l));
    }

    [Fact]
    public async Task Metrics_HttpToxic_CountsMatchedAndAffectedRequests()
    {
        using var upstream = new LoopbackHttpServer();
        var proxy = _running.Engine.Proxies.Create("api", "127.0.0.1:0", $"127.0.0.1:{upstream.Port}", protocol: ProxyProtocol.Http);
        proxy.AddToxic(ToxicTypes.DefineFromJson("errors", "http_abort", null, null, new Dictionary<string, System.Text.Json.Nodes.JsonNode?> { ["path"] = "/api/*" }));
        using var http = new HttpClient();
        foreach (var path in new[] { "/api/a", "/health", "/api/b" })
        {
            using var response = await http.GetAsync($"http://{proxy.Listen}{path}", TestContext.Current.CancellationToken);
            Assert.Equal(path.StartsWith("/api", StringComparison.Ordinal) ? System.Net.HttpStatusCode.ServiceUnavailable : System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        var text = await _running.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Contains("bev_chaos_proxy_toxic_matched{proxy=\"api\",toxic=\"errors\"} 2", text);
        Assert.Contains("bev_chaos_proxy_toxic_affected{proxy=\"api\",toxic=\"errors\"} 2", text);
        Assert.Equal(1, upstream.Requests);
    }

    [Fact]
    public async Task Metrics_EmergencyStopRemoval_SpelledAsOnWs()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(_running.Server.Url.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "ws"), TestContext.Current.CancellationToken);
        await InjectAsync($$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":30}""");

        using var stop = await _running.Http.PostAsync("/emergency-stop", null, TestContext.Current.CancellationToken);
        Assert.True(stop.IsSuccessStatusCode, $"emergency stop answered {(int)stop.StatusCode}");

        var removed = await ReceiveUntilAsync(socket, e => e.GetProperty("type").GetString() == "fault_removed");
        Assert.Equal("emergency_stop", removed.GetProperty("reason").GetString());
        await Poll.UntilAsync(() => _running.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken).GetAwaiter().GetResult(),
            t => t.Contains("bev_chaos_faults_removed_total{injector=\"service_pause\",reason=\"emergency_stop\"} 1", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the removal counted with the reason /ws gave");
    }

    [Fact]
    public async Task Metrics_FinishedExperiment_RecoveryTimeAndRollback()
    {
        using var healthy = new LoopbackHttpServer();
        using var accepted = await _running.Http.PostAsync("/experiments", new StringContent($$"""
            {"name":"recovery-metrics","baseline_seconds":0,"validation_seconds":0,"probe_interval_seconds":0.1,"recovery_window_seconds":10,
             "steady_state_probes":[{"name":"up","url":"{{healthy.Url}}"}],
             "fault_injections":[{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":0.5}]}
            """, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        var id = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("experiment_id").GetString();

        var text = await Poll.UntilAsync(() => _running.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken).GetAwaiter().GetResult(),
            t => t.Contains("bev_chaos_experiment_rollbacks_total{rolled_back=\"true\"} 1", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the finished experiment counted");

        Assert.Contains("bev_chaos_experiment_recovery_seconds_count 1", text);

        // One time to recover: the histogram observed exactly what the experiment's result says.
        var result = JsonDocument.Parse(await _running.Http.GetStringAsync($"/experiments/{id}", TestContext.Current.CancellationToken)).RootElement;
        var recovered = TimeSpan.Parse(result.GetProperty("time_to_recover").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(recovered.TotalSeconds, MetricValue(text, "bev_chaos_experiment_recovery_seconds_sum"), 6);
        Assert.Contains("bev_chaos_experiments_total{verdict=", text);

        // The probe is a server of the test's own, which the paused process cannot slow: the fault's
        // effect is not visible, and every probe succeeded, before and during the fault.
        Assert.Contains("bev_chaos_fault_effect_total{injector=\"service_pause\",effect=\"not_visible\"} 1", text);
        Assert.Contains("bev_chaos_experiment_availability_during_faults_ratio{experiment=\"recovery-metrics\"} 1", text);
        Assert.Contains("bev_chaos_experiment_baseline_availability_ratio{experiment=\"recovery-metrics\"} 1", text);
        Assert.InRange(MetricValue(text, "bev_chaos_experiment_latency_ratio{experiment=\"recovery-metrics\"}"), 0.01, 100);
    }

    [Fact]
    public async Task Metrics_AutoRecoverySystemsResponseTime_Exported()
    {
        // integration.auto_recovery_url: a real server of the test's own, healthy at once (any 2xx).
        using var recovery = new LoopbackHttpServer();
        await using var server = await ServerUnderTest.StartAsync(new ChaosConfiguration { Integration = new IntegrationSettings { AutoRecoveryUrl = new Uri(recovery.Url) } });
        using var accepted = await server.Http.PostAsync("/experiments", new StringContent($$"""
            {"name":"auto-recovery-metrics","baseline_seconds":0,"validation_seconds":0,"probe_interval_seconds":0.1,"recovery_window_seconds":10,
             "fault_injections":[{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":0.3}]}
            """, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);

        var text = await Poll.UntilAsync(() => server.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken).GetAwaiter().GetResult(),
            t => t.Contains("bev_chaos_auto_recovery_response_seconds_count 1", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the auto-recovery response time exported");

        Assert.True(recovery.Requests >= 1, "the auto-recovery system was asked");
        var sum = double.Parse(text.Split('\n').Single(l => l.StartsWith("bev_chaos_auto_recovery_response_seconds_sum ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(sum, 0, 2);
    }

    private static double MetricValue(string text, string series) =>
        double.Parse(text.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<JsonElement> ReceiveUntilAsync(ClientWebSocket socket, Func<JsonElement, bool> match)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, deadline.Token);
            var message = JsonDocument.Parse(buffer.AsMemory(0, received.Count)).RootElement;
            if (match(message))
            {
                return message;
            }
        }
    }

    [Fact]
    public async Task Metrics_PassPromtoolCheck()
    {
        Requires.Program("promtool");

        // A finished experiment first: its histograms, verdict counters and impact gauges are checked too.
        // Its probe is the paused process itself (a target probe without health_url): the fault's effect is visible.
        using var accepted = await _running.Http.PostAsync("/experiments", new StringContent($$"""
            {"name":"promtool-experiment","baseline_seconds":0.3,"validation_seconds":0,"probe_interval_seconds":0.1,"recovery_window_seconds":10,
             "steady_state_probes":[{"name":"running","target":"pid:{{_target.Pid}}"}],
             "fault_injections":[{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":0.6}]}
            """, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        await Poll.UntilAsync(() => _running.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken).GetAwaiter().GetResult(),
            t => t.Contains("bev_chaos_experiment_recovery_seconds_count 1", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the finished experiment exported");
        var id = await InjectAsync($$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":30}""");
        await _running.Http.DeleteAsync($"/faults/{id}", TestContext.Current.CancellationToken);
        var proxy = _running.Engine.Proxies.Create("queue", "127.0.0.1:0", "127.0.0.1:9");
        proxy.AddToxic(ToxicTypes.Define(null, "bandwidth", null, null, new Dictionary<string, long> { ["rate"] = 100 }));
        using var stop = await _running.Http.PostAsync("/emergency-stop", null, TestContext.Current.CancellationToken);
        Assert.True(stop.IsSuccessStatusCode, $"emergency stop answered {(int)stop.StatusCode}");
        var text = await _running.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        // promtool reads the exposition from stdin and fails on syntax errors and on lint problems
        // (counters without _total, missing HELP, bad units).
        var info = new System.Diagnostics.ProcessStartInfo("promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var promtool = System.Diagnostics.Process.Start(info)!;
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken) + await promtool.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await promtool.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(promtool.ExitCode == 0, $"promtool check metrics exited {promtool.ExitCode}: {output}");
        Assert.Contains("bev_chaos_emergency_stops_total", text);
        Assert.Contains("bev_chaos_fault_effect_total{injector=\"service_pause\",effect=\"visible\"} 1", text);
        Assert.Contains("bev_chaos_experiment_baseline_availability_ratio{experiment=\"promtool-experiment\"} 1", text);
        Assert.InRange(MetricValue(text, "bev_chaos_experiment_availability_during_faults_ratio{experiment=\"promtool-experiment\"}"), 0, 0.99);
        // No probe succeeded during the fault: no latency to compare, so no latency ratio.
        Assert.DoesNotContain("bev_chaos_experiment_latency_ratio{experiment=\"promtool-experiment\"}", text);
        Assert.Matches(@"bev_chaos_experiments_total\{verdict=""(passed|failed)""\} 1", text);
        Assert.Contains("bev_chaos_proxy_toxic_connections{proxy=\"queue\",toxic=\"bandwidth_downstream\"}", text);
    }

    [Fact]
    public async Task EventSocket_DeliversInjectedThenRemovedInOrder()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(_running.Server.Url.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "ws"), TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => true, TimeSpan.FromSeconds(1), "connected");

        var id = await InjectAsync($$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":30}""");
        await _running.Http.DeleteAsync($"/faults/{id}", TestContext.Current.CancellationToken);

        var first = await ReceiveAsync(socket);
        var second = await ReceiveAsync(socket);
        Assert.Equal(("fault_injected", id), (first.GetProperty("type").GetString(), first.GetProperty("fault_id").GetString()));
        Assert.Equal(("fault_removed", id), (second.GetProperty("type").GetString(), second.GetProperty("fault_id").GetString()));
        Assert.Equal("requested", second.GetProperty("reason").GetString());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[16 * 1024];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return JsonDocument.Parse(buffer.AsMemory(0, result.Count)).RootElement.Clone();
    }
}
