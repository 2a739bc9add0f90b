using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.Bench;

/// <summary>Inject and remove latency of every local injector: median and p99 over many runs.</summary>
internal static class InjectLatencyBench
{
    public static async Task RunAsync(int runs)
    {
        var isRoot = Environment.UserName == "root";
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(4096);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        _ = AcceptForeverAsync(listener, stop.Token);

        var cases = new List<(string Injector, Dictionary<string, object?> Parameters, bool NeedsRoot)>
        {
            ("service_pause", [], false),
            ("service_crash", [], false),
            ("cpu_stress", new() { ["load_percent"] = 10 }, false),
            ("memory_leak", new() { ["max_mb"] = 1, ["rate_mb_per_s"] = 10 }, false),
            ("connection_exhaustion", new() { ["connections"] = 1, ["port"] = port }, false),
            ("disk_fill", new() { ["size_mb"] = 1 }, false),
            ("cpu_throttle", new() { ["cpu_percent"] = 50 }, true),
            ("memory_limit", new() { ["limit_mb"] = 512 }, true),
            ("io_delay", new() { ["write_bps"] = 10_000_000 }, true),
        };

        Console.WriteLine($"## Inject and remove latency (in-process engine; {runs} runs per injector, {Environment.ProcessorCount} cores)");
        Console.WriteLine();
        Console.WriteLine("Wall time of `InjectFaultAsync` (validation, journal write with fsync, the effect in place) and of `RemoveFaultAsync` (journal, revert, journal). Goal: inject ≤ 50 ms p99 (the original system promised < 10 s).");
        Console.WriteLine();
        Console.WriteLine("| injector | inject p50 ms | inject p99 ms | remove p50 ms | remove p99 ms | goal met |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        await using var engine = new BenchEngine();
        foreach (var (injector, parameters, needsRoot) in cases)
        {
            if (needsRoot && !isRoot)
            {
                Console.WriteLine($"| {injector} | – | – | – | – | needs root |");
                continue;
            }

            var inject = new List<double>();
            var remove = new List<double>();
            var target = engine.Sleeper();
            for (var i = 0; i < runs + 5; i++)
            {
                if (injector == "service_crash")
                {
                    target = engine.Sleeper();
                }

                var started = Stopwatch.GetTimestamp();
                var id = await engine.Manager.InjectFaultAsync(injector, $"pid:{target}", null, parameters, TimeSpan.FromMinutes(5));
                var injected = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                started = Stopwatch.GetTimestamp();
                await engine.Manager.RemoveFaultAsync(id);
                var removed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (i >= 5)
                {
                    inject.Add(injected);
                    remove.Add(removed);
                }
            }

            var p99 = Stats.Percentile(inject, 99);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {injector} | {Stats.Percentile(inject, 50):F2} | {p99:F2} | {Stats.Percentile(remove, 50):F2} | {Stats.Percentile(remove, 99):F2} | {(p99 <= 50 ? "yes" : "**no**")} |"));
        }

        Console.WriteLine();
        await stop.CancelAsync();
    }

    private static async Task AcceptForeverAsync(TcpListener listener, CancellationToken token)
    {
        var held = new List<Socket>();
        try
        {
            while (true)
            {
                held.Add(await listener.AcceptSocketAsync(token));
                if (held.Count > 1000)
                {
                    held.ForEach(s => s.Dispose());
                    held.Clear();
                }
            }
        }
        catch (OperationCanceledException)
        {
            held.ForEach(s => s.Dispose());
        }
    }
}
