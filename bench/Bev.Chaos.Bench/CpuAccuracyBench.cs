using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Bench;

/// <summary>
/// CPU load accuracy of cpu_stress against stress-ng --cpu N --cpu-load P, both measured the same
/// way: CPU time of the burning processes over the same window, from /proc.
/// </summary>
internal static class CpuAccuracyBench
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    public static async Task RunAsync()
    {
        var stressNg = File.Exists("/usr/bin/stress-ng");
        Console.WriteLine("## CPU stress accuracy against stress-ng");
        Console.WriteLine();
        Console.WriteLine($"CPU time of the burning processes over {Window.TotalSeconds:F0} s after a 1 s warm-up, from /proc/PID/stat (and each stress-ng worker's), as percent of one core per worker. Goal: within ±3 percentage points, and no worse than stress-ng.");
        Console.WriteLine();
        Console.WriteLine("| workers × load | bev-chaos measured | error pp | stress-ng measured | error pp | ours no worse |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        foreach (var (workers, load) in new[] { (1, 25), (1, 50), (1, 75), (2, 30), (2, 60) })
        {
            var ours = await MeasureOursAsync(workers, load);
            var theirs = stressNg ? await MeasureStressNgAsync(workers, load) : double.NaN;
            var ourError = ours - load;
            var theirError = theirs - load;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {workers} × {load}% | {ours:F1}% | {Signed(ourError)} | {(stressNg ? $"{theirs:F1}%" : "not installed")} | {(stressNg ? Signed(theirError) : "–")} | {(!stressNg ? "–" : Math.Abs(ourError) <= Math.Max(3, Math.Abs(theirError)) ? "yes" : "**no**")} |"));
        }

        Console.WriteLine();
    }

    private static string Signed(double value) => Math.Round(value, 1).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);

    private static async Task<double> MeasureOursAsync(int workers, int load)
    {
        await using var engine = new BenchEngine();
        var target = engine.Sleeper();
        var id = await engine.Manager.InjectFaultAsync("cpu_stress", $"pid:{target}", null, new Dictionary<string, object?> { ["workers"] = workers, ["load_percent"] = load }, TimeSpan.FromSeconds(30));
        var entry = await engine.Journal.GetAsync(id, CancellationToken.None);
        var helper = ProcessIdentity.Parse(JsonNode.Parse(entry!.UndoJson)!["helper"]!.GetValue<string>());
        var percent = await CpuPercentAsync(() => [helper.Pid]);
        await engine.Manager.RemoveFaultAsync(id);
        return percent / workers;
    }

    private static async Task<double> MeasureStressNgAsync(int workers, int load)
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/stress-ng", ["--cpu", workers.ToString(CultureInfo.InvariantCulture), "--cpu-load", load.ToString(CultureInfo.InvariantCulture), "--timeout", "10s", "--quiet"]) { UseShellExecute = false })!;
        try
        {
            int[] Tree() => ProcFs.EnumeratePids().Where(pid => pid == process.Id || ProcFs.TryReadStat(pid)?.ParentPid == process.Id).ToArray();
            return await CpuPercentAsync(Tree) / workers;
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<double> CpuPercentAsync(Func<int[]> pids)
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        var tree = pids();
        TimeSpan Total() => tree.Select(pid => ProcFs.TryReadStat(pid)?.CpuTime ?? TimeSpan.Zero).Aggregate(TimeSpan.Zero, (a, b) => a + b);
        var before = Total();
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(Window);
        return (Total() - before) / Stopwatch.GetElapsedTime(started) * 100;
    }
}
