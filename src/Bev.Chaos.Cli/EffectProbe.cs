using System.Globalization;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Cli;

/// <summary>Describes what a target looks like right now, for live progress: state, CPU and memory.</summary>
internal sealed class EffectProbe(int pid)
{
    private TimeSpan _lastCpu = ProcFs.TryReadStat(pid)?.CpuTime ?? TimeSpan.Zero;
    private long _lastTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();

    public string Describe()
    {
        if (ProcFs.TryReadStat(pid) is not { } stat)
        {
            return $"pid {pid}: gone";
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(_lastTimestamp, now);
        var cpu = elapsed > TimeSpan.Zero ? (stat.CpuTime - _lastCpu) / elapsed * 100 : 0;
        _lastCpu = stat.CpuTime;
        _lastTimestamp = now;
        var state = stat.State switch
        {
            'T' => "T (stopped)",
            'D' => "D (frozen/disk)",
            'R' => "R (running)",
            'S' => "S (sleeping)",
            'Z' => "Z (zombie)",
            _ => stat.State.ToString(),
        };
        return string.Create(CultureInfo.InvariantCulture, $"pid {pid}: state {state}, cpu {cpu:F0}%, rss {stat.RssBytes / 1048576.0:F1} MiB");
    }
}
