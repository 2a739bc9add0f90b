using System.Globalization;

namespace Bev.Chaos.Safety;

/// <summary>Host CPU and memory use from /proc, as the safety monitor samples them.</summary>
public sealed class HostMetrics
{
    private (long Busy, long Total) _last = ReadCpu();

    /// <summary>CPU busy in percent of all cores since the previous call.</summary>
    public double CpuPercent()
    {
        var now = ReadCpu();
        var (busy, total) = (now.Busy - _last.Busy, now.Total - _last.Total);
        _last = now;
        return total <= 0 ? 0 : 100.0 * busy / total;
    }

    /// <summary>Memory in use (total − available) in percent of total.</summary>
    public static double MemoryPercent()
    {
        long total = 0, available = 0;
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                total = ParseKb(line);
            }
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                available = ParseKb(line);
            }
        }

        return total == 0 ? 0 : 100.0 * (total - available) / total;
    }

    private static long ParseKb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static (long Busy, long Total) ReadCpu()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        var total = fields.Sum();
        return (total - idle, total);
    }
}
