using System.Globalization;

namespace Bev.Chaos.Targets.Linux;

/// <summary>Reads what the engine needs from <c>/proc</c>.</summary>
internal static class ProcFs
{
    /// <summary>USER_HZ; 100 on every Linux this runs on.</summary>
    public const int ClockTicksPerSecond = 100;

    /// <summary>Parses <c>/proc/PID/stat</c>; null when the process is gone.</summary>
    public static ProcStat? TryReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // comm may hold spaces and parentheses: fields resume after the last ')'.
        var close = text.LastIndexOf(')');
        var fields = text[(close + 2)..].Split(' ');
        return new ProcStat(
            State: fields[0][0],
            ParentPid: int.Parse(fields[1], CultureInfo.InvariantCulture),
            UserTicks: long.Parse(fields[11], CultureInfo.InvariantCulture),
            SystemTicks: long.Parse(fields[12], CultureInfo.InvariantCulture),
            StartTicks: long.Parse(fields[19], CultureInfo.InvariantCulture),
            RssPages: long.Parse(fields[21], CultureInfo.InvariantCulture));
    }

    /// <summary>All pids currently in /proc.</summary>
    public static IEnumerable<int> EnumeratePids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>
    /// The direct children of <paramref name="pid"/> from <c>/proc/PID/task/*/children</c>; null when
    /// the kernel lacks that file (CONFIG_PROC_CHILDREN), so callers fall back to a full scan.
    /// </summary>
    public static IReadOnlyList<int>? TryReadChildren(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var children = new List<int>();
        foreach (var task in tasks)
        {
            var path = task + "/children";
            if (!File.Exists(path))
            {
                return Directory.Exists(task) ? null : children;
            }

            foreach (var field in (TryRead(path) ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var child))
                {
                    children.Add(child);
                }
            }
        }

        return children;
    }

    /// <summary>The process name (<c>comm</c>), or null when gone.</summary>
    public static string? TryReadComm(int pid) => TryRead($"/proc/{pid}/comm")?.TrimEnd('\n');

    /// <summary>argv[0]'s file name, or null when gone or a kernel thread.</summary>
    public static string? TryReadExecutableName(int pid)
    {
        var cmdline = TryRead($"/proc/{pid}/cmdline");
        if (string.IsNullOrEmpty(cmdline))
        {
            return null;
        }

        var argv0 = cmdline.Split('\0')[0];
        return Path.GetFileName(argv0);
    }

    /// <summary>
    /// True when the process is one of the engine's effect helpers (<c>Bev.Chaos.Helper</c>, as
    /// its apphost or as <c>dotnet Bev.Chaos.Helper.dll</c>), of this engine or another.
    /// </summary>
    public static bool IsEffectHelper(int pid)
    {
        var cmdline = TryRead($"/proc/{pid}/cmdline");
        return !string.IsNullOrEmpty(cmdline)
            && cmdline.Split('\0', 3).Take(2).Any(arg => Path.GetFileName(arg) is "Bev.Chaos.Helper" or "Bev.Chaos.Helper.dll");
    }

    /// <summary>Pids whose comm or argv[0] equals <paramref name="name"/>, without the engine itself and its effect helpers.</summary>
    public static IReadOnlyList<int> FindByName(string name) =>
        EnumeratePids()
            .Where(pid => pid != Environment.ProcessId)
            .Where(pid => TryReadComm(pid) == name || TryReadExecutableName(pid) == name)
            .Where(pid => !IsEffectHelper(pid))
            .Order()
            .ToList();

    /// <summary>The v1 cgroup path of <paramref name="pid"/> for each controller (cpu, memory, …).</summary>
    public static IReadOnlyDictionary<string, string> ReadCgroups(int pid)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var text = TryRead($"/proc/{pid}/cgroup") ?? string.Empty;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            foreach (var controller in parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                result[controller] = parts[2];
            }
        }

        return result;
    }

    /// <summary>Counts ESTABLISHED TCP connections (IPv4 and IPv6) whose remote port is <paramref name="port"/>.</summary>
    public static int CountEstablishedTo(int port) => CountEstablished(port, remote: true);

    /// <summary>Counts ESTABLISHED TCP connections whose local port is <paramref name="port"/>.</summary>
    public static int CountEstablishedAt(int port) => CountEstablished(port, remote: false);

    private static int CountEstablished(int port, bool remote)
    {
        var count = 0;
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            var text = TryRead(file);
            if (text is null)
            {
                continue;
            }

            foreach (var line in text.Split('\n').Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4 || fields[3] != "01")
                {
                    continue;
                }

                var address = remote ? fields[2] : fields[1];
                var portHex = address[(address.LastIndexOf(':') + 1)..];
                if (int.Parse(portHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
