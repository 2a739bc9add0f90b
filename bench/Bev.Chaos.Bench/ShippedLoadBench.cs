using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Bev.Chaos.Bench;

/// <summary>
/// <c>./bev-chaos load URL --rate R --connections C</c> as a process beside wrk against the same
/// nginx (Debian's nginx-light on loopback, started here), taking turns.
/// </summary>
internal static class ShippedLoadBench
{
    private const int Connections = 16;
    private const int Seconds = 4;
    private const int Rounds = 3;
    private const double Rate = 100_000;

    public static async Task RunAsync()
    {
        Console.WriteLine("## Load generator as `./bev-chaos load` runs it, against wrk (processes)");
        Console.WriteLine();
        foreach (var tool in new[] { Wrk.Path, BenchNginx.Path })
        {
            if (!File.Exists(tool))
            {
                Console.WriteLine($"skipped: {tool} is not installed (bench/run.sh installs it as root).\n");
                return;
            }
        }

        await ShippedProcess.TimeAsync(ShippedProcess.Launcher, "--version");
        var work = Directory.CreateTempSubdirectory("bev-chaos-bench-load-").FullName;
        var port = ShippedProcess.FreePort();
        await using (var nginx = await BenchNginx.StartAsync(work, port, deleteWork: true))
        {
            var url = nginx.Url.ToString();
            await Wrk.RunAsync(url, 2, Connections, 1);
            var wrk = new List<Wrk.Result>();
            var ours = new List<(double Rate, double P50, double P99, double WallMs)>();
            for (var round = 0; round < Rounds; round++)
            {
                wrk.Add(await Wrk.RunAsync(url, 2, Connections, Seconds));
                ours.Add(await LoadAsync(url));
            }

            var w = Wrk.Median(wrk);
            var rate = Stats.Percentile(ours.Select(o => o.Rate).ToList(), 50);
            var ratio = rate / w.RequestsPerSecond;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"The same nginx (one worker, `return 200`, started by the bench on loopback), {Connections} connections, {Seconds} s each, the two processes taking turns for {Rounds} rounds (medians); 2 cores shared by generator and server. wrk 4.1: 2 threads, closed loop. Ours: `./bev-chaos load {url} --rate {Rate:F0} --connections {Connections} --duration {Seconds}s --output json`, asked for more than it can send (it exits 1 saying the rate was not held, as it should), its achieved rate from its JSON (the warm-up request per connection does not count); wall is exec to exit of that process. Goal: ≥ 0.9× wrk."));
            Console.WriteLine();
            Console.WriteLine("| process | req/s | p50 ms | p99 ms | rounds req/s |");
            Console.WriteLine("|---|---:|---:|---:|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| wrk | {w.RequestsPerSecond:F0} | {w.P50Ms:F2} | {w.P99Ms:F2} | {string.Join(", ", wrk.Select(r => r.RequestsPerSecond.ToString("F0", CultureInfo.InvariantCulture)))} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `bev-chaos load` (uncorrected latency; wall {Stats.Percentile(ours.Select(o => o.WallMs).ToList(), 50):F0} ms) | {rate:F0} | {Stats.Percentile(ours.Select(o => o.P50).ToList(), 50):F2} | {Stats.Percentile(ours.Select(o => o.P99).ToList(), 50):F2} | {string.Join(", ", ours.Select(o => o.Rate.ToString("F0", CultureInfo.InvariantCulture)))} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ratio, goal met | {ratio:F2}× | | | {(ratio >= 0.9 ? "yes" : "**no**")} |"));
            Console.WriteLine();
        }
    }

    private static async Task<(double Rate, double P50, double P99, double WallMs)> LoadAsync(string url)
    {
        var (ms, exit, output, errors) = await ShippedProcess.TimeAsync(ShippedProcess.Launcher, "load", url, "--rate", Rate.ToString(CultureInfo.InvariantCulture), "--connections", Connections.ToString(CultureInfo.InvariantCulture), "--duration", $"{Seconds}s", "--output", "json");
        var json = output.TrimStart().StartsWith('{') ? output : throw new InvalidOperationException($"bev-chaos load exited {exit} without JSON: {output}{errors}");
        var root = JsonDocument.Parse(json).RootElement;
        if (root.GetProperty("errors").GetInt64() > 0)
        {
            throw new InvalidOperationException("bev-chaos load had errors: " + json);
        }

        var latency = root.GetProperty("uncorrected_latency_ms");
        return (root.GetProperty("achieved_rate").GetDouble(), latency.GetProperty("p50").GetDouble(), latency.GetProperty("p99").GetDouble(), ms);
    }
}
