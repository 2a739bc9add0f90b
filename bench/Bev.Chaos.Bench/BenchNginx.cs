using System.Diagnostics;

namespace Bev.Chaos.Bench;

/// <summary>
/// Debian's nginx as the load benches' server: one worker answering <c>return 200 "ok"</c> on a
/// loopback port, from a configuration in its own folder. Disposing kills it with its workers.
/// </summary>
internal sealed class BenchNginx : IAsyncDisposable
{
    /// <summary>The nginx binary the benches need.</summary>
    public const string Path = "/usr/sbin/nginx";

    private readonly Process _process;
    private readonly string _work;
    private readonly bool _deleteWork;

    private BenchNginx(Process process, string work, bool deleteWork, int port)
    {
        _process = process;
        _work = work;
        _deleteWork = deleteWork;
        Url = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>Where it answers.</summary>
    public Uri Url { get; }

    /// <summary>Starts nginx on <paramref name="port"/> with its files in <paramref name="work"/>, and returns once it answers.</summary>
    public static Task<BenchNginx> StartAsync(string work, int port, bool deleteWork) =>
        StartAsync(work, port, deleteWork, "location / { return 200 \"ok\"; }", string.Empty);

    /// <summary>
    /// Starts nginx on <paramref name="port"/> as a reverse proxy to <paramref name="upstreamPort"/>
    /// at its fastest for small responses: HTTP/1.1 with upstream keep-alive (64 idle connections kept).
    /// </summary>
    public static Task<BenchNginx> StartProxyPassAsync(string work, int port, int upstreamPort, bool deleteWork) =>
        StartAsync(work, port, deleteWork,
            "location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; }",
            $"upstream backend {{ server 127.0.0.1:{upstreamPort}; keepalive 64; }}");

    private static async Task<BenchNginx> StartAsync(string work, int port, bool deleteWork, string location, string upstream)
    {
        var config = System.IO.Path.Combine(work, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            daemon off;
            worker_processes 1;
            pid {{work}}/nginx.pid;
            error_log {{work}}/error.log;
            events { worker_connections 1024; }
            http {
              access_log off;
              keepalive_requests 1000000;
              {{upstream}}
              server {
                listen 127.0.0.1:{{port}};
                {{location}}
              }
            }
            """);
        var nginx = new BenchNginx(Process.Start(new ProcessStartInfo(Path, ["-c", config, "-p", work]) { RedirectStandardError = true })!, work, deleteWork, port);
        try
        {
            await nginx.WaitUntilItAnswersAsync();
            return nginx;
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilItAnswersAsync()
    {
        using var http = new HttpClient();
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                (await http.GetAsync(Url)).EnsureSuccessStatusCode();
                return;
            }
            catch (HttpRequestException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true); // its workers too: a worker left behind would keep every descriptor it inherited
        await _process.WaitForExitAsync();
        _process.Dispose();
        if (_deleteWork)
        {
            Directory.Delete(_work, recursive: true);
        }
    }
}
