using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Bev.Chaos.Bench;

/// <summary>
/// The fault proxy declared <c>protocol: http</c> (no toxic) as <c>./bev-chaos proxy</c> runs it,
/// beside nginx's own <c>proxy_pass</c> (upstream keep-alive), a plain YARP reverse proxy and our
/// L4 proxy, in one run: wrk with keep-alive against nginx serving <c>return 200 "ok"</c> through
/// each; then the same paths at one connection, where the added latency is the proxy's own and
/// not a queue's; then a 100 ms <c>http_delay</c>: what it adds to the median, as wrk sees it.
/// </summary>
internal static class HttpProxyBench
{
    private const int Rounds = 5;
    private const double Seconds = 3;
    private const int Connections = 32;

    public static async Task RunAsync()
    {
        if (!File.Exists(Wrk.Path) || !File.Exists(BenchNginx.Path))
        {
            Console.WriteLine("## HTTP fault proxy against nginx proxy_pass and YARP\n\nskipped: wrk or nginx is not installed (bench/run.sh installs them as root).\n");
            return;
        }

        var work = Directory.CreateTempSubdirectory("bev-chaos-bench-http-").FullName;
        var upstreamPort = ShippedProcess.FreePort();
        var nginxProxyPort = ShippedProcess.FreePort();
        var yarpPort = ShippedProcess.FreePort();
        var apiPort = ShippedProcess.FreePort();
        var oursHttpPort = ShippedProcess.FreePort();
        var oursTcpPort = ShippedProcess.FreePort();
        await using var upstream = await BenchNginx.StartAsync(Directory.CreateDirectory(Path.Combine(work, "upstream")).FullName, upstreamPort, deleteWork: false);
        await using var nginxProxy = await BenchNginx.StartProxyPassAsync(Directory.CreateDirectory(Path.Combine(work, "proxy")).FullName, nginxProxyPort, upstreamPort, deleteWork: false);
        await using var yarp = ShippedProcess.Start(ShippedProcess.Bare, "yarp", $"http://127.0.0.1:{yarpPort}", $"http://127.0.0.1:{upstreamPort}/");
        await yarp.WaitForLineAsync("listening on", TimeSpan.FromSeconds(30));
        await using var ours = ShippedProcess.Start(ShippedProcess.Launcher, "proxy", "--listen", $"http://127.0.0.1:{apiPort}");
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
        await WaitForApiAsync(api);
        await CreateAsync(api, "web_http", oursHttpPort, upstreamPort, "http");
        await CreateAsync(api, "web_tcp", oursTcpPort, upstreamPort, "tcp");

        var paths = new (string Name, int Port)[]
        {
            ("nginx direct (no proxy)", upstreamPort),
            ("bev-chaos proxy, protocol http", oursHttpPort),
            ("nginx proxy_pass (upstream keepalive 64)", nginxProxyPort),
            ("YARP 2.3 (plain reverse proxy)", yarpPort),
            ("bev-chaos proxy, protocol tcp (L4)", oursTcpPort),
        };
        var results = paths.ToDictionary(p => p.Name, _ => new List<Wrk.Result>());
        foreach (var (_, port) in paths)
        {
            await Wrk.RunAsync($"http://127.0.0.1:{port}/", 1, Connections, 1);
        }

        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (name, port) in paths)
            {
                results[name].Add(await Wrk.RunAsync($"http://127.0.0.1:{port}/", 1, Connections, Seconds));
            }
        }

        // One connection, one request at a time: no queue in front of any proxy, so what a path
        // adds to the direct p99 is what it costs a request.
        var latency = paths.ToDictionary(p => p.Name, _ => new List<Wrk.Result>());
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (name, port) in paths)
            {
                latency[name].Add(await Wrk.RunAsync($"http://127.0.0.1:{port}/", 1, 1, Seconds));
            }
        }

        // A 100 ms http_delay: the same wrk, fewer connections (each waits 100 ms per request).
        var before = new List<Wrk.Result>();
        var delayed = new List<Wrk.Result>();
        for (var round = 0; round < 3; round++)
        {
            before.Add(await Wrk.RunAsync($"http://127.0.0.1:{oursHttpPort}/", 1, 8, Seconds));
            (await api.PostAsync("/proxies/web_http/toxics", new StringContent("""{"name":"delay","type":"http_delay","attributes":{"delay_ms":100}}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            delayed.Add(await Wrk.RunAsync($"http://127.0.0.1:{oursHttpPort}/", 1, 8, Seconds));
            (await api.DeleteAsync("/proxies/web_http/toxics/delay")).EnsureSuccessStatusCode();
        }

        Print(results, latency, paths.Select(p => p.Name).ToList(), Wrk.Median(before), Wrk.Median(delayed));
        await ours.InterruptAsync(TimeSpan.FromSeconds(20));
        Directory.Delete(work, recursive: true);
    }

    private static async Task WaitForApiAsync(HttpClient api)
    {
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                (await api.GetAsync("/version")).EnsureSuccessStatusCode();
                return;
            }
            catch (HttpRequestException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task CreateAsync(HttpClient api, string name, int listen, int upstream, string protocol) =>
        (await api.PostAsync("/proxies", new StringContent($$"""{"name":"{{name}}","listen":"127.0.0.1:{{listen}}","upstream":"127.0.0.1:{{upstream}}","protocol":"{{protocol}}"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

    private static void Print(Dictionary<string, List<Wrk.Result>> results, Dictionary<string, List<Wrk.Result>> latency, List<string> order, Wrk.Result before, Wrk.Result delayed)
    {
        var median = order.ToDictionary(n => n, n => Wrk.Median(results[n]));
        var ours = median[order[1]];
        var nginx = median[order[2]];
        var yarp = median[order[3]];
        var direct = median[order[0]];
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine("## HTTP fault proxy against nginx proxy_pass and YARP (processes)");
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC (`bench/run.sh http-proxy`). Our proxy runs as `./bev-chaos proxy --listen URL` (the launcher, then its ReadyToRun build), its proxies made through the Toxiproxy API with `\"protocol\": \"http\"` (and one `tcp` for comparison), no toxic; nginx's `proxy_pass` with HTTP/1.1 and `keepalive 64` to the upstream; YARP 2.3 as `bench/Bev.Chaos.BareKestrel yarp` (one route, one destination, warnings-only logging). The upstream is nginx answering `return 200 \"ok\"` (1 worker). wrk 1 thread, {Connections} keep-alive connections, {Seconds} s; the paths take turns for {Rounds} rounds; each cell is the median of its rounds. Two cores shared by wrk, the proxy and nginx."));
        Console.WriteLine();
        Console.WriteLine("| path | requests/s | p50 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var name in order)
        {
            Console.WriteLine(string.Create(c, $"| {name} | {median[name].RequestsPerSecond:F0} | {median[name].P50Ms:F3} | {median[name].P99Ms:F3} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| ratio | requests/s | added p99 over direct, ours − the other's (µs) |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine(string.Create(c, $"| ours (http) ÷ YARP | {ours.RequestsPerSecond / yarp.RequestsPerSecond:F2}× | {(ours.P99Ms - yarp.P99Ms) * 1000:F0} |"));
        Console.WriteLine(string.Create(c, $"| ours (http) ÷ nginx proxy_pass | {ours.RequestsPerSecond / nginx.RequestsPerSecond:F2}× | {(ours.P99Ms - nginx.P99Ms) * 1000:F0} |"));
        Console.WriteLine(string.Create(c, $"| ours (http) ÷ ours (tcp) | {ours.RequestsPerSecond / median[order[4]].RequestsPerSecond:F2}× | {(ours.P99Ms - median[order[4]].P99Ms) * 1000:F0} |"));
        Console.WriteLine();
        var single = order.ToDictionary(n => n, n => Wrk.Median(latency[n]));
        Console.WriteLine(string.Create(c, $"One connection, one request at a time (wrk 1 thread, 1 connection, {Seconds} s, {Rounds} rounds taking turns, medians): no queue forms in front of a proxy, so the p99 it adds over the direct path is its own cost per request."));
        Console.WriteLine();
        Console.WriteLine("| path, 1 connection | requests/s | p50 ms | p99 ms | added p99 over direct (µs) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var name in order)
        {
            Console.WriteLine(string.Create(c, $"| {name} | {single[name].RequestsPerSecond:F0} | {single[name].P50Ms:F3} | {single[name].P99Ms:F3} | {(single[name].P99Ms - single[order[0]].P99Ms) * 1000:F0} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"Added p99 at one connection, ours (http) − nginx proxy_pass's: **{(single[order[1]].P99Ms - single[order[2]].P99Ms) * 1000:F0} µs**; ours − YARP's: {(single[order[1]].P99Ms - single[order[3]].P99Ms) * 1000:F0} µs."));
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"A 100 ms `http_delay` on every request (wrk 1 thread, 8 connections, 3 rounds, medians): p50 {before.P50Ms:F2} ms without it, {delayed.P50Ms:F2} ms with it: **{delayed.P50Ms - before.P50Ms:F2} ms added** (p99 {delayed.P99Ms:F2} ms). Goals: requests/s ≥ 1.0× YARP and ≥ 0.8× nginx proxy_pass, added p99 within 100 µs of nginx's, a 100 ms delay adding 100 ± 3 ms."));
        Console.WriteLine();
        _ = direct;
    }
}
