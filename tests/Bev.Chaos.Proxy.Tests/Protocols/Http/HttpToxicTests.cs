using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Proxy.Tests.Protocols.Http;

/// <summary>The HTTP toxics against a real nginx, through an <c>http</c> proxy, with curl, HttpClient and a raw keep-alive client.</summary>
public sealed class HttpToxicTests : IAsyncLifetime
{
    private readonly ProxyCollection _proxies = new();
    private NginxServer _nginx = null!;
    private ChaosProxy _proxy = null!;

    public async ValueTask InitializeAsync()
    {
        _nginx = await NginxServer.StartAsync();
        _proxy = _proxies.Create("web", null, _nginx.Address, protocol: ProxyProtocol.Http);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxies.DisposeAsync();
        await _nginx.DisposeAsync();
    }

    private static ToxicDefinition Toxic(string type, double? toxicity = null, string? name = null, params (string Key, JsonNode? Value)[] attributes) =>
        ToxicTypes.DefineFromJson(name, type, null, toxicity, attributes.ToDictionary(a => a.Key, a => a.Value));

    private Uri Url(string path) => new($"http://{_proxy.Listen}{path}");

    [Fact]
    public async Task HttpAbort_OnMatchingMethodAndPath_AnswersWithoutReachingTheUpstream()
    {
        using var http = new HttpClient();
        _proxy.AddToxic(Toxic("http_abort", attributes: [("method", "post"), ("path", "/api/*"), ("status", 503), ("body", "try later"), ("headers", new JsonObject { ["Retry-After"] = "5" })]));

        using var aborted = await http.PostAsync(Url("/api/items?x=1"), new StringContent("{\"name\":\"a\"}"), TestContext.Current.CancellationToken);
        using var other = await http.GetAsync(Url("/api/items"), TestContext.Current.CancellationToken);
        using var elsewhere = await http.PostAsync(Url("/other"), new StringContent("b"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, aborted.StatusCode);
        Assert.Equal("try later", await aborted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("5", aborted.Headers.RetryAfter!.ToString());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        var seen = await Poll.UntilAsync(() => _nginx.Requests, r => r.Length >= 2, TimeSpan.FromSeconds(10), "nginx to log the two requests it got");
        Assert.Equal(["GET /api/items 200", "POST /other 200"], seen);
        Assert.Equal(1, _proxy.Counters["http_abort_downstream"].Matched);
        Assert.Equal(1, _proxy.Counters["http_abort_downstream"].Affected);
    }

    [Fact]
    public async Task KeepAliveConnectionOpenedBefore_IsAffectedFromItsNextRequest_AndPipelinesKeepOrder()
    {
        using var client = await RawHttpConnection.ConnectAsync(_proxy.Listen);
        await client.SendAsync(RawHttpConnection.Get("/"));
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        _proxy.AddToxic(Toxic("http_abort", attributes: [("path", "/fail"), ("status", 502)]));

        // Three pipelined requests in one write, the middle one aborted: answers in request order.
        await client.SendAsync([.. RawHttpConnection.Get("/a"), .. RawHttpConnection.Get("/fail"), .. RawHttpConnection.Get("/b")]);
        var first = await client.ReadResponseAsync();
        var second = await client.ReadResponseAsync();
        var third = await client.ReadResponseAsync();
        Assert.Equal((200, "path /a"), (first.Status, first.Body));
        Assert.Equal(502, second.Status);
        Assert.Equal((200, "path /b"), (third.Status, third.Body));

        _proxy.RemoveToxic("http_abort_downstream");
        await client.SendAsync(RawHttpConnection.Get("/fail"));
        Assert.Equal((200, "path /fail"), ((await client.ReadResponseAsync()) is var after ? after.Status : 0, after.Body));
    }

    [Fact]
    public async Task Toxicity_IsTheShareOfMatchingRequests_AndTheSeedReplaysTheSame()
    {
        const int count = 400;
        const double toxicity = 0.3;

        async Task<(List<int> Affected, long Matched, long Counted)> RunAsync(string name)
        {
            _proxy.AddToxic(Toxic("http_abort", toxicity, name, ("path", "/api/*"), ("seed", 20261203)));
            using var client = await RawHttpConnection.ConnectAsync(_proxy.Listen);
            var affected = new List<int>();
            for (var i = 0; i < count; i++)
            {
                // Every other request does not match and must never be drawn for.
                await client.SendAsync(RawHttpConnection.Get(i % 2 == 0 ? "/api/items" : "/"));
                if ((await client.ReadResponseAsync()).Status == 503)
                {
                    affected.Add(i);
                }
            }

            var counters = _proxy.Counters[name];
            _proxy.RemoveToxic(name);
            return (affected, counters.Matched, counters.Affected);
        }

        var first = await RunAsync("first");
        var again = await RunAsync("again");

        // 200 matching requests at p = 0.3: mean 60, sd 6.5; 99.9 % of runs fall within ±3.3 sd.
        Assert.InRange(first.Affected.Count, 39, 81);
        Assert.All(first.Affected, i => Assert.Equal(0, i % 2));
        Assert.Equal(first.Affected, again.Affected);
        Assert.Equal(count / 2, first.Matched);
        Assert.Equal(first.Affected.Count, first.Counted);
    }

    [Fact]
    public async Task HttpDelay_HoldsMatchingRequestsOnly_AndTheResponsePhaseToo()
    {
        using var http = new HttpClient();
        _proxy.AddToxic(Toxic("http_delay", name: "request", attributes: [("header_name", "X-Tenant"), ("header_value", "^blue-"), ("delay_ms", 300)]));
        _proxy.AddToxic(Toxic("http_delay", name: "response", attributes: [("path", "/slow-response"), ("delay_ms", 300), ("on", "response")]));

        async Task<double> TimeAsync(string path, string? tenant)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url(path));
            if (tenant is not null)
            {
                request.Headers.Add("X-Tenant", tenant);
            }

            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Assert.InRange(await TimeAsync("/", "blue-1"), 300, 5000);
        Assert.InRange(await TimeAsync("/slow-response", null), 300, 5000);
        var fast = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            fast.Add(await TimeAsync("/", i % 2 == 0 ? "green-1" : null));
        }

        // Unmatched requests are not held: the fastest of five is well under the delay even on a busy machine.
        Assert.True(fast.Min() < 150, $"unmatched requests took {string.Join(", ", fast.Select(f => f.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} ms");
        Assert.Equal(1, _proxy.Counters["request"].Affected);
        Assert.Equal(1, _proxy.Counters["response"].Affected);
    }

    [Fact]
    public async Task HttpReplace_ChangesStatusHeadersAndBody_OfLengthAndChunkedResponses()
    {
        _proxy.AddToxic(Toxic("http_replace", name: "merge", attributes: [("path", "/api/items"), ("json_patch", "{\"status\": \"degraded\", \"extra\": {\"why\": \"chaos\"}}"), ("headers", new JsonObject { ["X-Chaos"] = "yes" }), ("remove_headers", new JsonArray("ETag"))]));
        _proxy.AddToxic(Toxic("http_replace", name: "body", attributes: [("path", "/chunked.html"), ("status", 500), ("body", "replaced")]));

        using var client = await RawHttpConnection.ConnectAsync(_proxy.Listen);
        await client.SendAsync(RawHttpConnection.Get("/api/items"));
        var merged = await client.ReadResponseAsync();
        Assert.Equal(200, merged.Status);
        Assert.Equal(JsonNode.Parse("{\"status\":\"degraded\",\"count\":3,\"extra\":{\"why\":\"chaos\"}}")!.ToJsonString(), JsonNode.Parse(merged.Body)!.ToJsonString());
        Assert.Equal("yes", merged.Header("X-Chaos"));
        Assert.Null(merged.Header("ETag"));

        // nginx sends SSI output chunked: the proxy holds it whole and sends the new body with a length.
        await client.SendAsync(RawHttpConnection.Get("/chunked.html"));
        var replaced = await client.ReadResponseAsync();
        Assert.Equal((500, "replaced", "8"), (replaced.Status, replaced.Body, replaced.Header("Content-Length")));
        Assert.Null(replaced.Header("Transfer-Encoding"));

        // HEAD: the status changes, the framing headers stay as nginx sent them, no body is invented.
        await client.SendAsync(RawHttpConnection.Get("/chunked.html", "HEAD"));
        Assert.Equal(500, (await client.ReadResponseAsync(toHead: true)).Status);

        // And the connection goes on as HTTP.
        _proxy.RemoveToxic("body");
        await client.SendAsync(RawHttpConnection.Get("/chunked.html"));
        var real = await client.ReadResponseAsync();
        Assert.Equal((200, "<p>chunked from nginx</p>\n", "chunked"), (real.Status, real.Body, real.Header("Transfer-Encoding")));
    }

    [Fact]
    public async Task PipelinedRequests_AbortedOneAskingToClose_EveryEarlierResponseArrivesFirst()
    {
        _proxy.AddToxic(Toxic("http_abort", attributes: [("path", "/c")]));
        using var client = await RawHttpConnection.ConnectAsync(_proxy.Listen);

        await client.SendAsync([.. RawHttpConnection.Get("/a"), .. RawHttpConnection.Get("/b"), .. RawHttpConnection.Get("/c", "GET", "Connection: close")]);

        Assert.Equal((200, "path /a"), (await client.ReadResponseAsync()) is var a ? (a.Status, a.Body) : default);
        Assert.Equal((200, "path /b"), (await client.ReadResponseAsync()) is var b ? (b.Status, b.Body) : default);
        var c = await client.ReadResponseAsync();
        Assert.Equal((503, "close"), (c.Status, c.Header("Connection")));
        Assert.True(await client.ClosedAsync(TimeSpan.FromSeconds(10)), "the proxy must close after answering a request that asked it to");
    }

    [Fact]
    public async Task HttpReplace_ToABodilessStatus_SendsNoBody_AndTheConnectionGoesOn()
    {
        _proxy.AddToxic(Toxic("http_replace", attributes: [("path", "/api/items"), ("status", 204)]));
        using var client = await RawHttpConnection.ConnectAsync(_proxy.Listen);

        await client.SendAsync([.. RawHttpConnection.Get("/api/items"), .. RawHttpConnection.Get("/")]);

        var replaced = await client.ReadResponseAsync();
        Assert.Equal((204, null), (replaced.Status, replaced.Header("Content-Length")));
        Assert.Equal((200, "ok"), (await client.ReadResponseAsync()) is var next ? (next.Status, next.Body) : default);
    }

    [Fact]
    public async Task BareLineFeedRequest_IsPassedThroughUntouched()
    {
        _proxy.AddToxic(Toxic("http_abort", attributes: [("path", "/")]));
        using var client = await RawHttpConnection.ConnectAsync(_proxy.Listen);

        await client.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.0\n\n"));

        // nginx accepts it; the proxy does not frame it, so no toxic acts and nginx answers.
        Assert.Equal((200, "ok"), (await client.ReadResponseAsync()) is var r ? (r.Status, r.Body) : default);
        Assert.Equal(0, _proxy.Counters["http_abort_downstream"].Matched);
    }

    [Fact]
    public async Task HttpAbort_Reset_EndsTheConnectionWithRst()
    {
        Requires.Program("curl");
        _proxy.AddToxic(Toxic("http_abort", attributes: [("reset", true)]));

        var (exit, _, error) = await CurlAsync(Url("/").ToString());

        // 56: failure receiving network data (connection reset by peer).
        Assert.True(exit == 56, $"curl exited {exit}: {error}");
        Assert.Contains("reset", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Curl_ChunkedBodyAndExpectContinue_PassThrough_AndAnAbortClosesTheConnection()
    {
        Requires.Program("curl");
        var (exit, output, error) = await CurlAsync("-sS", "-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue", "--data-binary", new string('x', 5000), "-w", "\n%{http_code}", Url("/api/items").ToString());
        Assert.True(exit == 0, error);
        Assert.Equal(["{\"status\":\"ok\",\"count\":3}", "200"], output.Split('\n'));

        _proxy.AddToxic(Toxic("http_abort", attributes: [("method", "POST"), ("status", 429)]));
        (exit, output, error) = await CurlAsync("-sS", "-H", "Expect: 100-continue", "--data-binary", new string('x', 5000), "-w", "\n%{http_code}", Url("/api/items").ToString(), "-o", "/dev/null");
        Assert.True(exit == 0, error);
        Assert.Equal("\n429", output);
        Assert.DoesNotContain(_nginx.Requests, r => r.StartsWith("POST", StringComparison.Ordinal) && r.EndsWith("429", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upgrade_PassesTheRestOfTheConnectionThroughUntouched()
    {
        // An upstream that switches protocols, then echoes: what follows the 101 is not HTTP for the proxy.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var upstream = _proxies.Create("upgrade", null, $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", protocol: ProxyProtocol.Http);
        upstream.AddToxic(Toxic("http_abort", attributes: [("path", "/after")]));
        var server = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
            var buffer = new byte[4096];
            var head = new StringBuilder();
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                head.Append(Encoding.ASCII.GetString(buffer, 0, await accepted.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken)));
            }

            await accepted.SendAsync("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"u8.ToArray(), SocketFlags.None, TestContext.Current.CancellationToken);
            int read;
            while ((read = await accepted.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken)) > 0)
            {
                await accepted.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);

        using var client = await RawHttpConnection.ConnectAsync(upstream.Listen);
        await client.SendAsync(RawHttpConnection.Get("/ws", "GET", "Upgrade: echo", "Connection: Upgrade"));
        Assert.Equal(101, (await client.ReadResponseAsync()).Status);
        var after = RawHttpConnection.Get("/after");
        await client.SendAsync(after);

        Assert.Equal(Encoding.ASCII.GetString(after), await client.ReadAtLeastAsync(after.Length));
        Assert.Equal(0, upstream.Counters["http_abort_downstream"].Matched);
        client.Dispose();
        await server.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    private static async Task<(int Exit, string Output, string Error)> CurlAsync(params string[] args)
    {
        using var curl = Process.Start(new ProcessStartInfo("curl", ["--max-time", "20", .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = curl.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = curl.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await curl.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (curl.ExitCode, await output, await error);
    }
}
