using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests;

/// <summary>Measurements of real effects on real processes.</summary>
internal static class Measure
{
    /// <summary>CPU used by <paramref name="pid"/> over a window, in percent of one core.</summary>
    public static async Task<double> CpuPercentAsync(int pid, TimeSpan window)
    {
        var before = ProcFs.TryReadStat(pid)!.Value.CpuTime;
        var started = Stopwatch.GetTimestamp();
        await Poll.MeasureWindowAsync(window);
        var after = ProcFs.TryReadStat(pid)!.Value.CpuTime;
        return (after - before) / Stopwatch.GetElapsedTime(started) * 100;
    }

    /// <summary>CPU charged to a cpuacct cgroup over a window, in percent of one core.</summary>
    public static async Task<double> CgroupCpuPercentAsync(string cgroup, TimeSpan window)
    {
        long Usage() => long.Parse(File.ReadAllText($"/sys/fs/cgroup/cpuacct{cgroup}/cpuacct.usage").Trim(), CultureInfo.InvariantCulture);
        var before = Usage();
        var started = Stopwatch.GetTimestamp();
        await Poll.MeasureWindowAsync(window);
        var after = Usage();
        return (after - before) / 1e9 / Stopwatch.GetElapsedTime(started).TotalSeconds * 100;
    }

    /// <summary>Bytes a blkio cgroup and its children wrote to block devices per second over a window.</summary>
    public static async Task<double> CgroupWriteBytesPerSecondAsync(string cgroup, TimeSpan window)
    {
        var before = CgroupWrittenBytes(cgroup);
        var started = Stopwatch.GetTimestamp();
        await Poll.MeasureWindowAsync(window);
        return (CgroupWrittenBytes(cgroup) - before) / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Bytes the blkio cgroup (v1) and its descendants have written so far.</summary>
    public static long CgroupWrittenBytes(string cgroup) =>
        File.ReadAllLines($"/sys/fs/cgroup/blkio{cgroup}/blkio.throttle.io_service_bytes_recursive")
            .Select(l => l.Split(' '))
            .Where(f => f.Length == 3 && f[1] == "Write")
            .Sum(f => long.Parse(f[2], CultureInfo.InvariantCulture));

    /// <summary>The helper process a fault's journal entry names.</summary>
    public static async Task<ProcessIdentity> HelperOfAsync(FaultJournal journal, string faultId)
    {
        var entry = await journal.GetAsync(faultId, TestContext.Current.CancellationToken);
        var undo = JsonNode.Parse(entry!.UndoJson)!.AsObject();
        return ProcessIdentity.Parse(undo["helper"]!.GetValue<string>());
    }
}
