using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;

namespace Bev.Chaos.Bench;

/// <summary>
/// The chaos API as users start it — <c>./bev-chaos serve</c>, a process with its default logging,
/// listener guard, metrics middleware and audit — beside a bare Kestrel process serving the very
/// bytes each endpoint answered, taking turns under wrk; and the first request after each starts.
/// </summary>
internal static class ShippedServeBench
{
    private const int Connections = 8;
    private const int Faults = 100;
    private const int Rounds = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    public static async Task RunAsync()
    {
        Console.WriteLine("## Chaos API as `./bev-chaos serve` runs it, against bare Kestrel (processes)");
        Console.WriteLine();
        if (!File.Exists(Wrk.Path))
        {
            Console.WriteLine("skipped: /usr/bin/wrk is not installed (bench/run.sh installs it as root).\n");
            return;
        }

        // Builds the CLI when its sources changed; the build is not measured.
        await ShippedProcess.TimeAsync(ShippedProcess.Launcher, "--version");
        var sleepers = Enumerable.Range(0, Faults).Select(_ => Process.Start(new ProcessStartInfo("/bin/sleep", "3600") { UseShellExecute = false })!).ToArray();
        var work = Directory.CreateTempSubdirectory("bev-chaos-bench-serve-").FullName;
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
            var first = await FirstRequestsAsync(http, work, sleepers[0].Id);
            var endpoints = await EndpointsAsync(http, work, sleepers.Select(s => s.Id).ToArray());
            Print(first, endpoints);
        }
        finally
        {
            foreach (var sleeper in sleepers)
            {
                sleeper.Kill();
                sleeper.WaitForExit();
            }

            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Starts <c>./bev-chaos serve</c> and returns it with the chaos API's base URL (ending in '/') once it says where it listens.</summary>
    private static async Task<(ShippedProcess Process, string Url)> StartServeAsync(string dataDir)
    {
        var serve = ShippedProcess.Start(ShippedProcess.Launcher, "serve", "--data-dir", dataDir,
            "--urls", $"http://127.0.0.1:{ShippedProcess.FreePort()}", "--toxiproxy-url", $"http://127.0.0.1:{ShippedProcess.FreePort()}");
        try
        {
            var line = await serve.WaitForLineAsync("dashboard and chaos API at", StartTimeout);
            return (serve, line.Split(' ').First(w => w.StartsWith("http://", StringComparison.Ordinal)).TrimEnd(','));
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }
    }

    // Each "first" is the first request a fresh process answers: one process per request kind and round.
    private static async Task<Dictionary<string, (List<double> StartMs, List<double> FirstMs)>> FirstRequestsAsync(HttpClient http, string work, int sleeper)
    {
        var kinds = new (string Name, Func<string, HttpRequestMessage> Request)[]
        {
            ("POST /faults", url => new HttpRequestMessage(HttpMethod.Post, url + "faults") { Content = new StringContent($$"""{"injector_name":"service_pause","target_service":"pid:{{sleeper}}","duration_seconds":600}""", Encoding.UTF8, "application/json") }),
            ("GET /openapi.json", url => new HttpRequestMessage(HttpMethod.Get, url + "openapi.json")),
            ("GET /status", url => new HttpRequestMessage(HttpMethod.Get, url + "status")),
        };
        var results = kinds.ToDictionary(k => k.Name, _ => (new List<double>(), new List<double>()));
        results["bare Kestrel: GET /status"] = ([], []);
        var bareDir = Directory.CreateDirectory(Path.Combine(work, "bare-first")).FullName;
        await File.WriteAllTextAsync(Path.Combine(bareDir, "status.json"), "{\"payload\":\"x\"}");
        await File.WriteAllTextAsync(Path.Combine(bareDir, "index.tsv"), "/status\tapplication/json\tstatus.json\n");

        // The client's own first requests (a POST with a body, a GET) are paid here, against the
        // yardstick, so they are not measured below.
        await using (var warm = await StartBareAsync(bareDir))
        {
            using var post = await http.SendAsync(kinds[0].Request(warm.Url));
            (await http.GetAsync(warm.Url + "status")).EnsureSuccessStatusCode();
        }

        for (var round = 0; round < Rounds; round++)
        {
            var started = Stopwatch.GetTimestamp();
            await using (var bare = await StartBareAsync(bareDir))
            {
                var startMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var t = Stopwatch.GetTimestamp();
                (await http.GetAsync(bare.Url + "status")).EnsureSuccessStatusCode();
                results["bare Kestrel: GET /status"].Item1.Add(startMs);
                results["bare Kestrel: GET /status"].Item2.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }

            foreach (var (name, request) in kinds)
            {
                var data = Path.Combine(work, $"first-{round}-{name.Replace(' ', '_').Replace('/', '_')}");
                started = Stopwatch.GetTimestamp();
                var (serve, url) = await StartServeAsync(data);
                await using (serve)
                {
                    var startMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    using var message = request(url);
                    var t = Stopwatch.GetTimestamp();
                    using var response = await http.SendAsync(message);
                    var ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"{name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }

                    results[name].Item1.Add(startMs);
                    results[name].Item2.Add(ms);
                }
            }
        }

        return results;
    }

    private sealed record EndpointResult(string Path, int Bytes, Wrk.Result Bare, Wrk.Result Ours);

    private static async Task<List<EndpointResult>> EndpointsAsync(HttpClient http, string work, int[] sleepers)
    {
        var (serve, url) = await StartServeAsync(Path.Combine(work, "steady"));
        await using var _ = serve;
        for (var i = 0; i < Faults; i++)
        {
            using var created = await http.PostAsync(url + "faults", new StringContent($$"""{"injector_name":"service_pause","target_service":"pid:{{sleepers[i % sleepers.Length]}}","duration_seconds":600}""", Encoding.UTF8, "application/json"));
            if (!created.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST /faults answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
            }
        }

        var faultId = JsonDocument.Parse(await http.GetStringAsync(url + "faults")).RootElement[0].GetProperty("fault_id").GetString()!;
        var scenario = JsonDocument.Parse(await http.GetStringAsync(url + "scenarios")).RootElement.EnumerateArray().Select(s => s.GetProperty("name").GetString()!).First();
        string[] paths =
        [
            "/status", "/health", "/faults", "/faults/" + faultId, "/agents", "/experiments", "/scenarios", "/scenarios/" + scenario,
            "/suites", "/audit", "/metrics", "/openapi.json", "/", "/dashboard/app.js", "/dashboard/style.css",
        ];

        // The bare process answers each path with the bytes and content type the chaos API answered.
        var bareDir = Directory.CreateDirectory(Path.Combine(work, "bare")).FullName;
        var index = new StringBuilder();
        var sizes = new Dictionary<string, int>();
        for (var i = 0; i < paths.Length; i++)
        {
            using var response = await http.GetAsync(url + paths[i].TrimStart('/'));
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync();
            await File.WriteAllBytesAsync(Path.Combine(bareDir, $"{i}.body"), body);
            index.Append(CultureInfo.InvariantCulture, $"{paths[i]}\t{response.Content.Headers.ContentType}\t{i}.body\n");
            sizes[paths[i]] = body.Length;
        }

        await File.WriteAllTextAsync(Path.Combine(bareDir, "index.tsv"), index.ToString());
        await using var bare = await StartBareAsync(bareDir);
        var bareBase = bare.Url.TrimEnd('/');
        var results = new List<EndpointResult>();
        foreach (var path in paths)
        {
            // /status carries the goal: longer runs; the others a second each, the same rounds.
            var seconds = path == "/status" ? 3 : 1;
            await Wrk.RunAsync(bareBase + path, 1, Connections, 1);
            await Wrk.RunAsync(url + path.TrimStart('/'), 1, Connections, 1);
            var bareRuns = new List<Wrk.Result>();
            var ourRuns = new List<Wrk.Result>();
            for (var round = 0; round < Rounds; round++)
            {
                bareRuns.Add(await Wrk.RunAsync(bareBase + path, 1, Connections, seconds));
                ourRuns.Add(await Wrk.RunAsync(url + path.TrimStart('/'), 1, Connections, seconds));
            }

            results.Add(new EndpointResult(path, sizes[path], Wrk.Median(bareRuns), Wrk.Median(ourRuns)));
        }

        return results;
    }

    // The yardstick process; Url ends in '/'.
    private sealed class Bare(ShippedProcess process, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;

        public ValueTask DisposeAsync() => process.DisposeAsync();
    }

    private static async Task<Bare> StartBareAsync(string dir)
    {
        var process = ShippedProcess.Start(ShippedProcess.Bare, "serve", dir, $"http://127.0.0.1:{ShippedProcess.FreePort()}");
        var line = await process.WaitForLineAsync("listening on", StartTimeout);
        return new Bare(process, line.Split(' ').Last().TrimEnd('/') + "/");
    }

    private static void Print(Dictionary<string, (List<double> StartMs, List<double> FirstMs)> first, List<EndpointResult> endpoints)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Measured from outside, as users run it: `./bev-chaos serve --data-dir TMP --urls http://127.0.0.1:PORT --toxiproxy-url http://127.0.0.1:PORT2` (the launcher at the repository root, then the ReadyToRun build it runs; default log level, JSON logs on stderr drained by the bench, the rolling log file, listener guard, metrics middleware, audit log), against `bench/Bev.Chaos.BareKestrel` (a separate process: minimal API, warnings-only logging, nothing else) answering each path with the very bytes and content type the chaos API answered. wrk 1 thread, {Connections} connections; the two processes take turns for {Rounds} rounds (3 s each for `/status`, 1 s for the others, after a 1 s warm-up each); each cell is the median of its rounds. {Faults} faults active (`service_pause`, one on each of {Faults} sleeping processes: a process holds one pause at a time)."));
        Console.WriteLine();
        Console.WriteLine("First request after start: each a fresh process (new data directory), the bench's HTTP client already warm; median of " + Rounds.ToString(CultureInfo.InvariantCulture) + " rounds. Start = exec of `./bev-chaos serve` until it prints where it listens. Goal: first request ≤ 50 ms.");
        Console.WriteLine();
        Console.WriteLine("| process: first request | start ms | first request ms | rounds ms | goal met |");
        Console.WriteLine("|---|---:|---:|---|---|");
        foreach (var (name, (start, ms)) in first.OrderBy(p => p.Key.StartsWith("bare", StringComparison.Ordinal) ? 0 : 1))
        {
            var median = Stats.Percentile(ms, 50);
            var goal = name.StartsWith("bare", StringComparison.Ordinal) ? "(yardstick)" : median <= 50 ? "yes" : "**no**";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {(name.StartsWith("bare", StringComparison.Ordinal) ? name : "`bev-chaos serve`: " + name)} | {Stats.Percentile(start, 50):F0} | {median:F1} | {string.Join(", ", ms.Select(m => m.ToString("F1", CultureInfo.InvariantCulture)))} | {goal} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Every GET endpoint, the same bytes from both processes. Goal (for `/status`): ≥ 0.7× the bare process's req/s and p99 < 2 ms.");
        Console.WriteLine();
        Console.WriteLine("| endpoint | bytes | bare req/s | serve req/s | ratio | bare p99 ms | serve p50 ms | serve p99 ms | goal met |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var e in endpoints)
        {
            var ratio = e.Ours.RequestsPerSecond / e.Bare.RequestsPerSecond;
            var goal = e.Path == "/status" ? (ratio >= 0.7 && e.Ours.P99Ms < 2 ? "yes" : "**no**") : ratio >= 0.7 && e.Ours.P99Ms < 2 ? "(≥ 0.7×, < 2 ms)" : "(below)";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `GET {e.Path}` | {e.Bytes} | {e.Bare.RequestsPerSecond:F0} | {e.Ours.RequestsPerSecond:F0} | {ratio:F2}× | {e.Bare.P99Ms:F2} | {e.Ours.P50Ms:F2} | {e.Ours.P99Ms:F2} | {goal} |"));
        }

        Console.WriteLine();
    }
}
