using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

/// <summary>serve, proxy and agent as real processes: addresses checked after binding, tokens from the CLI, agent leases.</summary>
public sealed class ListenerSecurityTests : IDisposable
{
    private const string Operator = "operator-token-0123456789";
    private const string Admin = "admin-token-0123456789";
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Serve_KestrelEndpointOverrideBeyondLoopback_ExitsWith2()
    {
        var port = LoopbackPort.Free();
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["Kestrel__Endpoints__x__Url"] = $"http://0.0.0.0:{port}" },
            "serve", "--urls", $"http://127.0.0.1:{LoopbackPort.Free()}", "--toxiproxy-url", $"http://127.0.0.1:{LoopbackPort.Free()}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"bound address: 'http://0.0.0.0:{port}' is not allowed; allowed: a loopback address, unless auth.tokens are configured", result.Stderr);
        Assert.Contains("nothing was bound", result.Stderr);
    }

    [Fact]
    public async Task Proxy_KestrelEndpointOverrideBeyondLoopback_ExitsWith2()
    {
        var port = LoopbackPort.Free();
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["Kestrel__Endpoints__x__Url"] = $"http://0.0.0.0:{port}" },
            "proxy", "--listen", $"http://127.0.0.1:{LoopbackPort.Free()}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"bound address: 'http://0.0.0.0:{port}' is not allowed; allowed: a loopback address, unless auth.tokens are configured", result.Stderr);
        Assert.Contains("nothing was bound", result.Stderr);
    }

    [Fact]
    public Task Proxy_AspNetCoreUrlsBeyondLoopback_NeverServesThere() =>
        // The flag's loopback address wins over ASPNETCORE_URLS; were it ever to lose, the check after binding exits 2.
        AssertAspNetCoreUrlsLoseAsync(url => ["proxy", "--listen", url], "/version");

    [Fact]
    public Task Serve_AspNetCoreUrlsBeyondLoopback_NeverServesThere() =>
        AssertAspNetCoreUrlsLoseAsync(url => ["serve", "--urls", url, "--toxiproxy-url", $"http://127.0.0.1:{LoopbackPort.Free()}"], "/health");

    // Starts the command with ASPNETCORE_URLS on 0.0.0.0 and the flag's loopback url; once the url
    // answers, nothing listens on the environment's port.
    private async Task AssertAspNetCoreUrlsLoseAsync(Func<string, string[]> command, string answering)
    {
        var port = LoopbackPort.Free();
        var url = $"http://127.0.0.1:{LoopbackPort.Free()}";
        using var process = Bev.Chaos.TestSupport.BevChaosCli.Start(_data.Path, command(url), new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{port}" });
        try
        {
            await WaitUntilAnswersAsync(url + answering, process);
            using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            var refused = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(System.Net.IPAddress.Loopback, port, TestContext.Current.CancellationToken).AsTask());
            Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
        finally
        {
            Bev.Chaos.Targets.Linux.LibC.TrySignal(process.Id, 2);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Proxy_ListenFlagBeyondLoopback_ExitsWith2()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "proxy", "--listen", "http://0.0.0.0:18905");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--listen: 'http://0.0.0.0:18905' is not allowed; allowed: a loopback address, unless auth.tokens are configured", result.Stderr);
    }

    [Fact]
    public async Task ServerCommands_SecuredServer_NeedAndTakeToken()
    {
        var config = Path.Combine(_data.Path, "secured.yaml");
        await File.WriteAllTextAsync(config, $"""
            auth:
              tokens:
                - {"{"}name: ops, token: {Operator}, role: operator{"}"}
                - {"{"}name: boss, token: {Admin}, role: admin{"}"}
            """, TestContext.Current.CancellationToken);
        var api = LoopbackPort.Free();
        var url = $"http://127.0.0.1:{api}";
        var toxiproxy = $"http://127.0.0.1:{LoopbackPort.Free()}";
        using var server = CliRunner.Start(_data.Path, "--config", config, "serve", "--urls", url, "--toxiproxy-url", toxiproxy);
        try
        {
            await WaitForHealthAsync(url);

            // The tokens of --config reach the Toxiproxy-compatible listener of serve too.
            using (var http = new HttpClient { BaseAddress = new Uri(toxiproxy) })
            {
                // The Toxiproxy listener starts beside the chaos API; it may answer a moment later.
                await Poll.UntilAsync(async () =>
                {
                    try
                    {
                        using var _ = await http.GetAsync("/version", TestContext.Current.CancellationToken);
                        return true;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(20), "the Toxiproxy listener to answer");
                using var anonymous = await http.GetAsync("/proxies", TestContext.Current.CancellationToken);
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
                using var create = new HttpRequestMessage(HttpMethod.Post, "/proxies") { Content = new StringContent($$"""{"name":"db","listen":"127.0.0.1:0","upstream":"127.0.0.1:{{api}}"}""", System.Text.Encoding.UTF8, "application/json") };
                using var refusedCreate = await http.SendAsync(create, TestContext.Current.CancellationToken);
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refusedCreate.StatusCode);
                using var authorized = new HttpRequestMessage(HttpMethod.Get, "/proxies");
                authorized.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Operator);
                using var listedProxies = await http.SendAsync(authorized, TestContext.Current.CancellationToken);
                Assert.Equal(System.Net.HttpStatusCode.OK, listedProxies.StatusCode);
            }

            var refused = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "emergency-stop", "--server", url);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("--token", refused.Stderr);

            var stopped = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "emergency-stop", "--server", url, "--token", Operator);
            Assert.True(stopped.ExitCode == 0, stopped.Stderr);
            Assert.True(JsonDocument.Parse(stopped.Stdout).RootElement.GetProperty("safety_lock_engaged").GetBoolean());

            var released = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), new Dictionary<string, string> { ["BEV_CHAOS_TOKEN"] = Admin }, "emergency-stop", "--release", "--server", url);
            Assert.True(released.ExitCode == 0, released.Stderr);

            // inject and remove take the token the same two ways, and say so without one.
            using var sleeper = TestProcess.Sleeper();
            var injectRefused = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "inject", "service_pause", "--target", $"pid:{sleeper.Pid}", "--duration", "60s", "--server", url);
            Assert.Equal(2, injectRefused.ExitCode);
            Assert.Contains("--token", injectRefused.Stderr);
            var injected = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "inject", "service_pause", "--target", $"pid:{sleeper.Pid}", "--duration", "60s", "--server", url, "--token", Operator);
            Assert.True(injected.ExitCode == 0, injected.Stderr);
            var faultId = injected.Stdout.Trim();
            await Poll.UntilAsync(() => sleeper.State == 'T', TimeSpan.FromSeconds(10), "the server to stop the target");
            var removeRefused = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "remove", faultId, "--server", url);
            Assert.Equal(2, removeRefused.ExitCode);
            Assert.Equal('T', sleeper.State);
            var removed = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), new Dictionary<string, string> { ["BEV_CHAOS_TOKEN"] = Operator }, "remove", faultId, "--server", url);
            Assert.True(removed.ExitCode == 0, removed.Stderr);
            await Poll.UntilAsync(() => sleeper.State != 'T', TimeSpan.FromSeconds(10), "the target to run again");

            var listed = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--server", url, "--token", Operator);
            Assert.True(listed.ExitCode == 0, listed.Stderr);
            Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(listed.Stdout).RootElement.ValueKind);
        }
        finally
        {
            Bev.Chaos.Targets.Linux.LibC.TrySignal(server.Id, 2);
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Agent_FaultWithoutLease_GetsTheDefaultLease()
    {
        const string secret = "agent-secret-0123456789";
        var url = $"http://127.0.0.1:{LoopbackPort.Free()}";
        using var target = TestProcess.Sleeper();
        using var agent = CliRunner.Start(_data.Path, "agent", "--listen", url, "--token", secret, "--name", "here");
        try
        {
            await WaitForHealthAsync(url);
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            using var response = await http.PostAsync("/faults", new StringContent($$"""{"injector_name":"service_pause","target_service":"pid:{{target.Pid}}","duration_seconds":300}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
            var expires = body.GetProperty("lease_expires_at").GetDateTimeOffset();
            Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(31));
            Assert.Equal('T', target.State);
        }
        finally
        {
            Bev.Chaos.Targets.Linux.LibC.TrySignal(agent.Id, 2);
            await agent.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        Assert.True(target.State is 'R' or 'S', "the agent removed its fault on Ctrl-C");
    }

    private static async Task WaitUntilAnswersAsync(string address, Process process)
    {
        using var http = new HttpClient();
        await Poll.UntilAsync(async () =>
        {
            Assert.False(process.HasExited, "the command exited: " + (process.HasExited ? await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken) : string.Empty));
            try
            {
                return (await http.GetAsync(address, TestContext.Current.CancellationToken)).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), address + " to answer");
    }

    private static async Task WaitForHealthAsync(string url)
    {
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
        }, TimeSpan.FromSeconds(60), "the server at " + url);
    }
}
