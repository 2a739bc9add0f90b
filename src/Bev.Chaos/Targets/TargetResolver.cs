using System.Globalization;
using Bev.Chaos.Configuration;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Targets;

/// <summary>
/// Turns a target name into processes: a catalog service, or an ad hoc <c>pid:N</c> or
/// <c>name:PROCESS_NAME</c>. Refuses protected targets: pid 1, kernel threads, the engine itself
/// and catalog entries marked <c>protected</c>.
/// </summary>
public sealed class TargetResolver(ChaosConfiguration configuration, ProcessSupervisor? supervisor = null, string? runDirectory = null, Docker.DockerEngine? docker = null)
{
    private const string Field = "target_service";

    /// <summary>The catalog.</summary>
    public IReadOnlyDictionary<string, TargetDefinition> Catalog => configuration.Targets;

    /// <summary>Resolves <paramref name="target"/>; throws with the reason when it cannot.</summary>
    /// <exception cref="ChaosValidationException">Unknown, gone, protected or unsupported target.</exception>
    public ResolvedTarget Resolve(string target)
    {
        if (string.IsNullOrWhiteSpace(target))
        {
            throw new ChaosValidationException(Field, target, "a catalog service name, pid:N, name:PROCESS_NAME, docker:CONTAINER or agent:HOST/SERVICE");
        }

        if (target.StartsWith("pid:", StringComparison.Ordinal))
        {
            if (!int.TryParse(target.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
            {
                throw new ChaosValidationException(Field, target, "pid:N with N a positive process id");
            }

            return FromPids(target, [pid], null);
        }

        if (target.StartsWith("name:", StringComparison.Ordinal))
        {
            var name = target[5..];
            var pids = name.Length == 0 ? [] : ProcFs.FindByName(name);
            return pids.Count == 0
                ? throw new ChaosValidationException(Field, target, "name:PROCESS_NAME of a running process (none is running by that name)")
                : FromPids(target, pids, null);
        }

        if (target.StartsWith("docker:", StringComparison.Ordinal))
        {
            return FromContainers(target, target[7..], null);
        }

        if (target.StartsWith("agent:", StringComparison.Ordinal))
        {
            throw new ChaosValidationException(Field, target, "pid:N, name:PROCESS_NAME, docker:CONTAINER or a process or docker catalog service (agent targets are not available in this version)");
        }

        if (!configuration.Targets.TryGetValue(target, out var definition))
        {
            // The catalog is what a user must change: say where it comes from and how to add the name.
            var known = configuration.Targets.Count == 0
                ? $"the catalog is empty: declare {target} under targets: in the configuration (--config FILE), or start with --config config/demo.yaml, whose catalog has web-server and the demo pipeline"
                : "catalog: " + string.Join(", ", configuration.Targets.Keys.Order());
            throw new ChaosValidationException(Field, target, $"a catalog service name ({known}), pid:N, name:PROCESS_NAME or docker:CONTAINER");
        }

        if (definition.Protected)
        {
            throw new ChaosValidationException(Field, target, "a target not marked protected in the catalog");
        }

        if (definition.Kind == TargetKind.Docker)
        {
            return FromContainers(target, definition.Container ?? string.Empty, definition);
        }

        if (definition.Kind != TargetKind.Process)
        {
            throw new ChaosValidationException(Field, target, $"a process or docker target ({definition.Kind.ToString().ToLowerInvariant()} targets are not available in this version)");
        }

        var found = FindCatalogPids(definition);
        return found.Count == 0
            ? throw new ChaosValidationException(Field, target, $"a running service ({Describe(definition)} found no running process)")
            : FromPids(target, found, definition);
    }

    // A container's processes are ordinary host processes (its init pid and descendants), so every
    // process fault works on it; the container list lets docker-aware faults use the Docker API.
    private ResolvedTarget FromContainers(string target, string selector, TargetDefinition? definition)
    {
        if (selector.Length == 0)
        {
            throw new ChaosValidationException(Field, target, "docker:NAME, docker:ID or docker:label:KEY=VALUE");
        }

        if (docker is null)
        {
            throw new ChaosValidationException(Field, target, "a process target (this engine has no Docker daemon configured)");
        }

        IReadOnlyList<Docker.DockerContainer> found;
        try
        {
            found = docker.FindAsync(selector, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (FeatureUnavailableException ex)
        {
            throw new ChaosValidationException(Field, target, $"a container on a reachable Docker daemon ({ex.Message})");
        }

        if (found.Count == 0)
        {
            throw new ChaosValidationException(Field, target, selector.StartsWith("label:", StringComparison.Ordinal)
                ? $"a label that selects at least one container (none has {selector[6..]})"
                : "the name or id of an existing container (none matches)");
        }

        var running = found.Where(c => c.Running && c.Pid > 0).ToList();
        if (running.Count == 0)
        {
            throw new ChaosValidationException(Field, target, $"a running container ({string.Join(", ", found.Select(c => c.Name))} not running)");
        }

        // Blast radius: count and percent keep the first containers by name, the same ones every run.
        var keep = Math.Min(definition?.Count ?? running.Count, definition?.Percent is { } percent ? Math.Max(1, running.Count * percent / 100) : running.Count);
        running = running.Take(keep).ToList();
        return FromPids(target, running.Select(c => c.Pid).ToList(), definition) with { Containers = running };
    }

    private List<int> FindCatalogPids(TargetDefinition definition)
    {
        if (definition.Command is not null)
        {
            if (supervisor?.TryGetCurrent(definition.Name) is { } current)
            {
                return [current.Pid];
            }

            var pidFile = runDirectory is null ? null : ProcessSupervisor.PidFilePath(runDirectory, definition.Name);
            return pidFile is not null && ReadPidFile(pidFile) is { } managed ? [managed] : [];
        }

        if (definition.Pid is { } pid)
        {
            return ProcFs.TryReadStat(pid) is null ? [] : [pid];
        }

        if (definition.PidFile is { } file)
        {
            return ReadPidFile(file) is { } p ? [p] : [];
        }

        return definition.ProcessName is { } name ? [.. ProcFs.FindByName(name)] : [];
    }

    private static int? ReadPidFile(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            // A pid file holds a number (or pid@start): a device or a huge file is refused, not read.
            string text;
            try
            {
                text = Configuration.InputFile.ReadText(path, "pid_file", 256).Trim();
            }
            catch (ChaosValidationException) when (!File.Exists(path))
            {
                return null;
            }

            var at = text.IndexOf('@', StringComparison.Ordinal);
            if (at > 0)
            {
                var identity = ProcessIdentity.Parse(text);
                return identity.IsAlive ? identity.Pid : null;
            }

            return int.TryParse(text, out var pid) && ProcFs.TryReadStat(pid) is not null ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Describe(TargetDefinition d) =>
        d.Command is not null ? "the supervisor"
        : d.Pid is not null ? $"pid {d.Pid}"
        : d.PidFile is not null ? $"pid_file {d.PidFile}"
        : $"process_name {d.ProcessName}";

    private static ResolvedTarget FromPids(string name, IReadOnlyList<int> pids, TargetDefinition? definition)
    {
        var identities = new List<ProcessIdentity>();
        foreach (var pid in pids)
        {
            if (pid == 1 || pid == Environment.ProcessId)
            {
                throw new ChaosValidationException(Field, name, "a process other than pid 1 and the chaos engine itself");
            }

            var stat = ProcFs.TryReadStat(pid);
            if (stat is null || ProcessIdentity.TryRead(pid) is not { } identity)
            {
                throw new ChaosValidationException(Field, name, "a running process (pid " + pid + " does not exist)");
            }

            if (pid == 2 || stat.Value.ParentPid == 2)
            {
                throw new ChaosValidationException(Field, name, "a user process (pid " + pid + " is a kernel thread)");
            }

            // A fault on a helper would stall or silently end another fault (the standby helper stalls the next inject).
            if (ProcFs.IsEffectHelper(pid))
            {
                throw new ChaosValidationException(Field, name, "a process that is not the chaos engine's own (pid " + pid + " is one of its effect helpers)");
            }

            identities.Add(identity);
        }

        identities.AddRange(Descendants(identities.Select(i => i.Pid).ToHashSet()));
        return new ResolvedTarget(name, identities.Distinct().ToList(), definition?.Port, definition);
    }

    private static IEnumerable<ProcessIdentity> Descendants(HashSet<int> roots)
    {
        // Walking /proc/PID/task/*/children costs per descendant; scanning every process's stat
        // costs per process on the machine (about 0.8 ms here), so the scan is only the fallback.
        ILookup<int, int>? scanned = null;
        IEnumerable<int> ChildrenOf(int pid) => ProcFs.TryReadChildren(pid) ?? (scanned ??= ScanParents())[pid];

        var queue = new Queue<int>(roots);
        var seen = new HashSet<int>(roots);
        while (queue.Count > 0)
        {
            foreach (var kid in ChildrenOf(queue.Dequeue()))
            {
                if (kid != Environment.ProcessId && seen.Add(kid) && ProcessIdentity.TryRead(kid) is { } identity)
                {
                    queue.Enqueue(kid);
                    yield return identity;
                }
            }
        }
    }

    private static ILookup<int, int> ScanParents() =>
        ProcFs.EnumeratePids()
            .Select(pid => (Pid: pid, Stat: ProcFs.TryReadStat(pid)))
            .Where(p => p.Stat is not null)
            .ToLookup(p => p.Stat!.Value.ParentPid, p => p.Pid);
}
