namespace Bev.Chaos.Targets.Linux;

/// <summary>
/// cgroup v1 file operations. The engine never changes a value in a cgroup it did not make:
/// a fault makes a child cgroup beneath the target's own, moves the target into it and sets
/// the limit there; removal moves the target back and deletes the child.
/// </summary>
internal static class CgroupV1
{
    /// <summary>Where the v1 hierarchies are mounted.</summary>
    public const string Root = "/sys/fs/cgroup";

    /// <summary>Whether <paramref name="controller"/> is mounted as a v1 hierarchy we can write.</summary>
    public static bool IsAvailable(string controller)
    {
        if (!Directory.Exists(Path.Combine(Root, controller)) || !LibC.IsRoot)
        {
            return false;
        }

        try
        {
            return File.ReadLines("/proc/mounts").Any(line =>
            {
                var fields = line.Split(' ');
                return fields.Length > 3 && fields[2] == "cgroup" && fields[1] == $"{Root}/{controller}"
                    || fields.Length > 3 && fields[2] == "cgroup" && fields[1].StartsWith($"{Root}/", StringComparison.Ordinal)
                        && fields[3].Split(',').Contains(controller);
            });
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Throws a clear error when a controller the fault needs is missing.</summary>
    public static void Require(string controller, string injector)
    {
        if (!LibC.IsRoot)
        {
            throw new FeatureUnavailableException($"{injector} needs root to write cgroup '{controller}'");
        }

        if (!IsAvailable(controller))
        {
            throw new FeatureUnavailableException($"{injector} needs the cgroup v1 '{controller}' controller mounted at {Root}/{controller}; this kernel does not have it");
        }
    }

    /// <summary>Absolute directory of a cgroup path within a controller's hierarchy.</summary>
    public static string PathOf(string controller, string cgroupPath) =>
        Path.Combine(Root, controller) + (cgroupPath == "/" ? string.Empty : cgroupPath);

    /// <summary>Creates (or reuses) a child cgroup and returns its cgroup path.</summary>
    public static string CreateChild(string controller, string parentPath, string name)
    {
        var path = (parentPath == "/" ? string.Empty : parentPath) + "/" + name;
        Directory.CreateDirectory(PathOf(controller, path));
        return path;
    }

    /// <summary>Moves a whole process (all its threads) into a cgroup; false when the process is gone.</summary>
    public static bool MoveProcess(string controller, string cgroupPath, int pid)
    {
        try
        {
            File.WriteAllText(Path.Combine(PathOf(controller, cgroupPath), "cgroup.procs"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return true;
        }
        catch (IOException) when (ProcFs.TryReadStat(pid) is null)
        {
            return false;
        }
    }

    /// <summary>Writes one control file.</summary>
    public static void Write(string controller, string cgroupPath, string file, string value) =>
        File.WriteAllText(Path.Combine(PathOf(controller, cgroupPath), file), value);

    /// <summary>Reads one control file, trimmed.</summary>
    public static string Read(string controller, string cgroupPath, string file) =>
        File.ReadAllText(Path.Combine(PathOf(controller, cgroupPath), file)).Trim();

    /// <summary>Pids in a cgroup (empty when it does not exist).</summary>
    public static IReadOnlyList<int> Processes(string controller, string cgroupPath)
    {
        var file = Path.Combine(PathOf(controller, cgroupPath), "cgroup.procs");
        return File.Exists(file)
            ? File.ReadAllLines(file).Where(l => l.Length > 0).Select(int.Parse).ToList()
            : [];
    }

    /// <summary>
    /// Moves every process left in <paramref name="cgroupPath"/> to <paramref name="fallbackPath"/>
    /// and removes the cgroup. Idempotent: a cgroup already gone is fine.
    /// </summary>
    public static void Dissolve(string controller, string cgroupPath, string fallbackPath)
    {
        var dir = PathOf(controller, cgroupPath);
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var pid in Processes(controller, cgroupPath))
        {
            MoveProcess(controller, fallbackPath, pid);
        }

        Directory.Delete(dir);
    }
}
