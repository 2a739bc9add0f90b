using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bev.Chaos.Resilience;
using Bev.Chaos.Load;

namespace Bev.Chaos.Bench;

/// <summary>
/// Our constant-rate load generator beside wrk against the same nginx (Debian's nginx-light, one
/// worker, a constant 200 answer), in one run: the highest rate each reaches with 16 connections,
/// and how exactly ours holds 1,000 and 5,000 req/s. Ours records every latency in HDR histograms.
/// </summary>
internal static partial class LoadGeneratorBench
{
    private const int Port = 25301;
    private const int Connections = 16;
    private const int Seconds = 5;

    public static async Task RunAsync()
    {
        foreach (var tool in new[] { "/usr/bin/wrk", BenchNginx.Path })
        {
            if (!File.Exists(tool))
            {
                Console.WriteLine($"## Load generator against wrk (in-process LoadGenerator)\n\nskipped: {tool} is not installed (bench/run.sh installs it as root).\n");
                return;
            }
        }

        var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bev-chaos-bench-nginx")).FullName;
        await using (var nginx = await BenchNginx.StartAsync(work, Port, deleteWork: false))
        {
            var url = nginx.Url;
            await WrkAsync(url, 1);
            var wrk = await WrkAsync(url, Seconds);

            using var generator = new LoadGenerator();
            await MaxRateAsync(generator, url, 1);
            var ours = await MaxRateAsync(generator, url, Seconds);
            var accuracy = new List<(double Rate, LoadResult Result)>();
            foreach (var rate in new[] { 1000.0, 5000.0 })
            {
                accuracy.Add((rate, await generator.RunAsync(url, rate, TimeSpan.FromSeconds(Seconds), Connections, CancellationToken.None)));
            }

            Console.WriteLine("## Load generator against wrk (in-process LoadGenerator)");
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Same run, same nginx (one worker, `return 200`), {Connections} connections, {Seconds} s each, 2 cores shared by generator and server. wrk: 2 threads, closed loop. Ours: `LoadGenerator` asked for more than it can send (open loop turns into every connection busy), every latency recorded in HDR histograms with coordinated-omission correction. Goal: ≥ 0.7× wrk."));
            Console.WriteLine();
            Console.WriteLine("| generator | req/s | p50 ms | p99 ms |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| wrk 4.1 | {wrk.Rate:F0} | {wrk.P50:F2} | {wrk.P99:F2} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| bev-chaos LoadGenerator | {ours.AchievedRate:F0} | {ours.UncorrectedLatency.P50:F2} | {ours.UncorrectedLatency.P99:F2} |"));
            var ratio = ours.AchievedRate / wrk.Rate;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ratio, goal met | {ratio:F2}× | | {(ratio >= 0.7 ? "yes" : "**no**")} |"));
            Console.WriteLine();
            Console.WriteLine("Rate accuracy (requests completed per second of the run, against the rate asked for):");
            Console.WriteLine();
            Console.WriteLine("| asked req/s | achieved req/s | error | p99 ms (corrected) | saturated |");
            Console.WriteLine("|---:|---:|---:|---:|---|");
            foreach (var (rate, result) in accuracy)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {rate:F0} | {result.AchievedRate:F1} | {100 * (result.AchievedRate - rate) / rate:+0.00;-0.00}% | {result.Latency.P99:F2} | {(result.Saturated ? "yes" : "no")} |"));
            }

            Console.WriteLine();
        }
    }

    private static async Task<LoadResult> MaxRateAsync(LoadGenerator generator, Uri url, int seconds)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        return await generator.RunAsync(url, 1_000_000, TimeSpan.FromSeconds(seconds), Connections, CancellationToken.None, stop: stop.Token);
    }

    private static async Task<(double Rate, double P50, double P99)> WrkAsync(Uri url, int seconds)
    {
        var info = new ProcessStartInfo("/usr/bin/wrk", ["-t2", $"-c{Connections}", $"-d{seconds}s", "--latency", url.ToString()]) { RedirectStandardOutput = true };
        using var wrk = Process.Start(info)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        return (double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture), Percentile(output, "50"), Percentile(output, "99"));
    }

    private static double Percentile(string output, string percent)
    {
        var match = Regex.Match(output, $@"^\s+{percent}%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}
