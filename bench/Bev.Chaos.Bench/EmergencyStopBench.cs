using System.Diagnostics;
using System.Globalization;

namespace Bev.Chaos.Bench;

/// <summary>Emergency stop with many active faults: time until every effect is reverted and journaled.</summary>
internal static class EmergencyStopBench
{
    public static async Task RunAsync(IReadOnlyList<int> counts)
    {
        Console.WriteLine("## Emergency stop (in-process engine)");
        Console.WriteLine();
        Console.WriteLine("Active faults are half `disk_fill` (1 MiB of real blocks each) and half `service_pause` (SIGSTOP) spread over 10 sleeping processes; the time is `EmergencyStopAsync` until every file is deleted, every process continued and every journal entry closed. Goal: 1,000 faults ≤ 500 ms (the original system promised < 5 s).");
        Console.WriteLine();
        Console.WriteLine("| active faults | emergency stop ms | per fault µs | goal met |");
        Console.WriteLine("|---:|---:|---:|---|");
        foreach (var count in counts)
        {
            await using var engine = new BenchEngine();
            var targets = Enumerable.Range(0, 10).Select(_ => engine.Sleeper()).ToArray();
            for (var i = 0; i < count; i++)
            {
                if (i % 2 == 0)
                {
                    await engine.Manager.InjectFaultAsync("disk_fill", $"pid:{targets[i % 10]}", null, new Dictionary<string, object?> { ["size_mb"] = 1, ["path"] = engine.DataDirectory, ["reserve_mb"] = 64 }, TimeSpan.FromMinutes(10));
                }
                else
                {
                    await engine.Manager.InjectFaultAsync("service_pause", $"pid:{targets[i % 10]}", null, null, TimeSpan.FromMinutes(10));
                }
            }

            var started = Stopwatch.GetTimestamp();
            var removed = await engine.Manager.EmergencyStopAsync();
            var took = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (removed != count || Directory.GetFiles(engine.DataDirectory, "bev-chaos-fill-*").Length != 0)
            {
                throw new InvalidOperationException($"emergency stop left faults behind: removed {removed} of {count}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {count} | {took:F1} | {took * 1000 / count:F0} | {(count < 1000 || took <= 500 ? "yes" : "**no**")} |"));
        }

        Console.WriteLine();
    }
}
