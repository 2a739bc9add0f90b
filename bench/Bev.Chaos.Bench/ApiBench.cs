using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bev.Chaos.Configuration;
using Bev.Chaos.Scenarios;
using Bev.Chaos.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Bench;

/// <summary>
/// The chaos API under wrk beside a bare Kestrel endpoint that returns a constant JSON object of the
/// same size, in one run; then inject/remove cycles through the API and an emergency stop of 1,000
/// faults through it.
/// </summary>
internal static partial class ApiBench
{
    private const int Connections = 8;
    private const int Seconds = 5;

    public static async Task RunAsync()
    {
        if (!File.Exists("/usr/bin/wrk"))
        {
            Console.WriteLine("## Chaos API against a bare Kestrel endpoint (in-process host)\n\nskipped: /usr/bin/wrk is not installed (bench/run.sh installs it as root).\n");
            return;
        }

        var data = Path.Combine(Path.GetTempPath(), "bev-chaos-bench-api-" + Guid.NewGuid().ToString("N")[..8]);
        var sleepers = Enumerable.Range(0, 10).Select(_ => Process.Start(new ProcessStartInfo("/bin/sleep", "3600") { UseShellExecute = false })!).ToArray();
        try
        {
            await using var engine = await ChaosEngine.OpenAsync(new ChaosConfiguration(), data);
            await using var server = await ChaosServer.StartAsync(engine, new ScenarioLibrary(), "http://127.0.0.1:0");
            using var http = new HttpClient { BaseAddress = server.Url };
            for (var i = 0; i < 100; i++)
            {
                await InjectAsync(http, sleepers[i % sleepers.Length].Id);
            }

            var status = await http.GetStringAsync("/status");
            var bare = await StartBareAsync(status.Length);
            var bareResult = await WrkAsync(bare.Url + "status");
            await bare.App.DisposeAsync();
            var oursResult = await WrkAsync(server.Url + "status");

            var cycles = await InjectRemoveCyclesAsync(http, sleepers.Select(p => p.Id).ToArray());
            foreach (var fault in JsonDocument.Parse(await http.GetStringAsync("/faults")).RootElement.EnumerateArray())
            {
                await http.DeleteAsync($"/faults/{fault.GetProperty("fault_id").GetString()}");
            }

            for (var i = 0; i < 1000; i++)
            {
                await InjectAsync(http, sleepers[i % sleepers.Length].Id);
            }

            var started = Stopwatch.GetTimestamp();
            using var stop = await http.PostAsync("/emergency-stop", null);
            var stopMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var left = JsonDocument.Parse(await http.GetStringAsync("/faults")).RootElement.GetArrayLength();
            stop.EnsureSuccessStatusCode();
            (await http.DeleteAsync("/emergency-stop")).EnsureSuccessStatusCode();

            Console.WriteLine("## Chaos API against a bare Kestrel endpoint (in-process host)");
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrk, 1 thread, {Connections} connections, {Seconds} s, in the same run: `GET /status` of the chaos API with 100 active faults (`service_pause` over 10 sleeping processes) against a bare minimal-API endpoint on Kestrel returning a constant JSON object of the same size ({status.Length} bytes). Goal: ≥ 0.5× the bare endpoint's req/s and p99 < 2 ms (the original system promised < 200 ms)."));
            Console.WriteLine();
            Console.WriteLine("| endpoint | req/s | p50 ms | p99 ms |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| bare Kestrel constant JSON | {bareResult.RequestsPerSecond:F0} | {bareResult.P50Ms:F2} | {bareResult.P99Ms:F2} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| chaos API `GET /status` | {oursResult.RequestsPerSecond:F0} | {oursResult.P50Ms:F2} | {oursResult.P99Ms:F2} |"));
            var ratio = oursResult.RequestsPerSecond / bareResult.RequestsPerSecond;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ratio, goal met | {ratio:F2}× | | {(ratio >= 0.5 && oursResult.P99Ms < 2 ? "yes" : "**no**")} |"));
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Inject/remove cycles through the API (`POST /faults` of a `service_pause`, then `DELETE /faults/{{id}}`; each journaled with fsync, the process really stopped and continued), {Connections} clients for {Seconds} s: **{cycles:F0} cycles/s** (goal ≥ 1,000: {(cycles >= 1000 ? "yes" : "**no**")})."));
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Emergency stop through the API with 1,000 active faults, `POST /emergency-stop` until its response: **{stopMs:F1} ms**, faults left {left} (goal < 500 ms: {(stopMs < 500 && left == 0 ? "yes" : "**no**")})."));
            Console.WriteLine();
        }
        finally
        {
            foreach (var sleeper in sleepers)
            {
                sleeper.Kill();
                sleeper.WaitForExit();
            }

            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<string> InjectAsync(HttpClient http, int pid)
    {
        using var response = await http.PostAsync("/faults", new StringContent($$"""{"injector_name":"service_pause","target_service":"pid:{{pid}}","duration_seconds":600}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /faults answered {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("fault_id").GetString()!;
    }

    private static async Task<double> InjectRemoveCyclesAsync(HttpClient http, int[] pids)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Seconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var counts = await Task.WhenAll(Enumerable.Range(0, Connections).Select(async worker =>
        {
            var done = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var id = await InjectAsync(http, pids[worker % pids.Length]);
                using var removed = await http.DeleteAsync($"/faults/{id}");
                removed.EnsureSuccessStatusCode();
                done++;
            }

            return done;
        }));
        return counts.Sum() / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<(WebApplication App, string Url)> StartBareAsync(int size)
    {
        var body = Encoding.UTF8.GetBytes("{\"payload\":\"" + new string('x', Math.Max(0, size - 14)) + "\"}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/status", () => Results.Bytes(body, "application/json"));
        await app.StartAsync();
        return (app, app.Urls.First() + "/");
    }

    private static async Task<(double RequestsPerSecond, double P50Ms, double P99Ms)> WrkAsync(string url)
    {
        // A short warm-up so both endpoints are measured jitted.
        await RunWrkAsync(url, 1);
        var output = await RunWrkAsync(url, Seconds);
        return (double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture), Percentile(output, "50"), Percentile(output, "99"));
    }

    private static async Task<string> RunWrkAsync(string url, int seconds)
    {
        var info = new ProcessStartInfo("/usr/bin/wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t1", $"-c{Connections}", $"-d{seconds}s", "--latency", url })
        {
            info.ArgumentList.Add(arg);
        }

        using var wrk = Process.Start(info)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0 || output.Contains("Non-2xx", StringComparison.Ordinal) || output.Contains("Socket errors", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"wrk against {url} did not run cleanly:\n{output}{await wrk.StandardError.ReadToEndAsync()}");
        }

        return output;
    }

    private static double Percentile(string wrkOutput, string percent)
    {
        var match = Regex.Match(wrkOutput, $@"^\s+{percent}%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}
