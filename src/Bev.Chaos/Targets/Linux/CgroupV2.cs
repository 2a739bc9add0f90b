using System.Globalization;

namespace Bev.Chaos.Targets.Linux;

/// <summary>
/// cgroup v2 (unified hierarchy) file operations. Cgroup paths are those of <c>/proc/PID/cgroup</c>'s
/// <c>0::</c> line, relative to the v2 mount.
/// </summary>
internal static class CgroupV2
{
    /// <summary>Where the unified hierarchy is mounted (<c>/sys/fs/cgroup</c> on v2 hosts, <c>/sys/fs/cgroup/unified</c> on hybrid ones), or null.</summary>
    public static string? Mount
    {
        get
        {
            try
            {
                return File.ReadLines("/proc/mounts")
                    .Select(line => line.Split(' '))
                    .Where(fields => fields.Length > 2 && fields[2] == "cgroup2")
                    .Select(fields => fields[1])
                    .OrderBy(path => path == CgroupV1.Root ? 0 : 1)
                    .FirstOrDefault();
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>Absolute directory of a v2 cgroup path.</summary>
    public static string PathOf(string cgroupPath) =>
        (Mount ?? throw new FeatureUnavailableException("no cgroup v2 hierarchy is mounted")) + (cgroupPath == "/" ? string.Empty : cgroupPath);

    /// <summary>The v2 cgroup of a process (its <c>0::</c> line), or null when it is gone or has none.</summary>
    public static string? CgroupOf(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/cgroup")
                .Where(line => line.StartsWith("0::", StringComparison.Ordinal))
                .Select(line => line[3..])
                .FirstOrDefault();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The controllers a cgroup may use (<c>cgroup.controllers</c>).</summary>
    public static IReadOnlyList<string> Controllers(string cgroupPath) => Words(cgroupPath, "cgroup.controllers");

    /// <summary>The controllers a cgroup passes to its children (<c>cgroup.subtree_control</c>).</summary>
    public static IReadOnlyList<string> SubtreeControl(string cgroupPath) => Words(cgroupPath, "cgroup.subtree_control");

    /// <summary>Writes <c>+controller</c> or <c>-controller</c> to a cgroup's <c>cgroup.subtree_control</c>.</summary>
    public static void SetSubtreeControl(string cgroupPath, string controller, bool enabled) =>
        Write(cgroupPath, "cgroup.subtree_control", (enabled ? "+" : "-") + controller);

    /// <summary>Moves a whole process (v2 moves processes, not threads) into a cgroup; false when the process is gone.</summary>
    public static bool MoveProcess(string cgroupPath, int pid)
    {
        try
        {
            Write(cgroupPath, "cgroup.procs", pid.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (IOException) when (ProcFs.TryReadStat(pid) is null)
        {
            return false;
        }
    }

    /// <summary>Writes one control file.</summary>
    public static void Write(string cgroupPath, string file, string value) =>
        File.WriteAllText(Path.Combine(PathOf(cgroupPath), file), value);

    /// <summary>Reads one control file, trimmed.</summary>
    public static string Read(string cgroupPath, string file) =>
        File.ReadAllText(Path.Combine(PathOf(cgroupPath), file)).Trim();

    /// <summary>Whether the cgroup exists.</summary>
    public static bool Exists(string cgroupPath) => Directory.Exists(PathOf(cgroupPath));

    /// <summary>Pids in a cgroup (empty when it does not exist).</summary>
    public static IReadOnlyList<int> Processes(string cgroupPath)
    {
        var file = Path.Combine(PathOf(cgroupPath), "cgroup.procs");
        return File.Exists(file)
            ? File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList()
            : [];
    }

    /// <summary>Moves every process left in a cgroup to <paramref name="fallbackPath"/> and removes it. Idempotent.</summary>
    public static void Dissolve(string cgroupPath, string fallbackPath)
    {
        if (!Exists(cgroupPath))
        {
            return;
        }

        foreach (var pid in Processes(cgroupPath))
        {
            MoveProcess(fallbackPath, pid);
        }

        Directory.Delete(PathOf(cgroupPath));
    }

    /// <summary>The ancestors of a cgroup path from the root down to the path itself: "/a/b" gives "/", "/a", "/a/b".</summary>
    public static IReadOnlyList<string> Lineage(string cgroupPath)
    {
        var result = new List<string> { "/" };
        var current = string.Empty;
        foreach (var part in cgroupPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            result.Add(current);
        }

        return result;
    }

    private static IReadOnlyList<string> Words(string cgroupPath, string file)
    {
        var path = Path.Combine(PathOf(cgroupPath), file);
        return File.Exists(path) ? File.ReadAllText(path).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
    }
}
