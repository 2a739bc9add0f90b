using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Proxy.Api;

namespace Bev.Chaos.Proxy.Tests.Api;

/// <summary>
/// The Toxiproxy-compatible API on a free loopback port over a proxy collection of its own, with a
/// client for it and a runner for the published Node.js client's scripts: what every API test class
/// starts from.
/// </summary>
internal sealed class ToxiproxyApiHost : IAsyncDisposable
{
    private ToxiproxyApiHost(ProxyCollection proxies, ToxiproxyServer server)
    {
        Proxies = proxies;
        Server = server;
        Http = new HttpClient { BaseAddress = server.Url };
    }

    /// <summary>The proxies the API manages.</summary>
    public ProxyCollection Proxies { get; }

    /// <summary>The API server.</summary>
    public ToxiproxyServer Server { get; }

    /// <summary>A client whose base address is the API's.</summary>
    public HttpClient Http { get; }

    public static async Task<ToxiproxyApiHost> StartAsync(ToxiproxyApiOptions? options = null)
    {
        var proxies = new ProxyCollection();
        var server = await ToxiproxyServer.StartAsync(proxies, options ?? new ToxiproxyApiOptions(), "http://127.0.0.1:0", cancellationToken: TestContext.Current.CancellationToken);
        return new ToxiproxyApiHost(proxies, server);
    }

    /// <summary>One request; the answer's status and JSON body (default when empty).</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null, string contentType = "application/json", Action<HttpRequestMessage>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, contentType);
        }

        headers?.Invoke(request);
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>
    /// Runs <paramref name="script"/> of the npm client folder with node against this API and
    /// <paramref name="upstream"/>; its stdout as JSON. Skips when the npm package is not installed
    /// (a failure under <c>CI=true</c>, where ./test.sh installs it).
    /// </summary>
    public async Task<JsonElement> RunNodeClientAsync(string script, string upstream)
    {
        var clientDir = Path.Combine(AppContext.BaseDirectory, "client");
        if (!Directory.Exists(Path.Combine(clientDir, "node_modules", "toxiproxy-node-client")))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("CI=true: test.sh installs the npm client (tests/Bev.Chaos.Proxy.Tests/client), but it is missing");
            }

            Assert.Skip("the npm package toxiproxy-node-client is not installed (./test.sh installs it)");
        }

        using var node = Process.Start(new ProcessStartInfo("node", [Path.Combine(clientDir, script), Server.Url.ToString().TrimEnd('/'), upstream])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = clientDir,
        })!;
        var output = node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await node.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(node.ExitCode == 0, await error);
        return JsonDocument.Parse(await output).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Proxies.DisposeAsync();
    }
}
