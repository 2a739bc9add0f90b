using System.Text.RegularExpressions;
using Bev.Chaos.Faults.Helpers;
using Bev.Chaos.Faults.Storage.DiskFill;
using Bev.Chaos.Targets.Linux;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Faults;

/// <summary>
/// The last line of "every fault comes back out": effects that carry our name but belong to no
/// fault any journal or copy knows of (the store and every copy lost with a fault held) are found
/// by their names and undone. What carries a fault id in its name is swept here: the child cgroups
/// a fault makes (<c>bev-chaos-ID</c>, v1 and v2; a frozen one is thawed first, its processes move
/// to the cgroup above, and it is removed) and host fill files (<c>bev-chaos-fill-ID.dat</c> under
/// the roots disk_fill may write). The rest needs no sweep: nftables elements expire in the
/// kernel, helpers die with their lifeline or at their time to live, proxies live in their
/// engine's process. A fault id that <c>isHeld</c> says is held (open in a journal, or in a
/// running engine's copies; asked just before each undo) is never touched, nor a name that is not
/// a fault id (<c>TYPE-</c> and 12 hex digits). Engines that share cgroups must share the
/// machine-wide copies too: the compose file mounts the host's <c>/run/bev-chaos</c> into the
/// container for that.
/// </summary>
internal static partial class LeftoverSweep
{
    private static readonly string[] V1Controllers = ["cpu", "memory", "blkio", "freezer"];

    // Bounds on the walk: a host with tens of thousands of cgroups or files is swept in part, never for long.
    private const int MaxDepth = 12;
    private const int MaxDirectories = 20_000;
    private const int MaxFillDepth = 4;

    /// <summary>Undoes every named effect whose fault id <paramref name="isHeld"/> does not claim; returns what it undid.</summary>
    public static IReadOnlyList<string> Run(Func<string, bool> isHeld, IEnumerable<string> fillRoots, ILogger logger)
    {
        var swept = new List<string>();

        foreach (var controller in V1Controllers.Where(CgroupV1.IsAvailable))
        {
            foreach (var (cgroup, faultId) in NamedCgroups(CgroupV1.PathOf(controller, "/")))
            {
                if (FaultId().IsMatch(faultId) && !isHeld(faultId))
                {
                    Try(swept, logger, $"cgroup {controller}:{cgroup}", () => DissolveV1(controller, cgroup));
                }
            }
        }

        if (LibC.IsRoot && CgroupV2.Mount is { } mount)
        {
            foreach (var (cgroup, faultId) in NamedCgroups(mount))
            {
                if (FaultId().IsMatch(faultId) && !isHeld(faultId))
                {
                    Try(swept, logger, $"cgroup v2 {cgroup}", () => DissolveV2(cgroup));
                }
            }
        }

        foreach (var file in FillFiles(fillRoots))
        {
            var faultId = Path.GetFileNameWithoutExtension(file)[DiskFillConstants.FilePrefix.Length..];
            if (FaultId().IsMatch(faultId) && !isHeld(faultId))
            {
                Try(swept, logger, $"fill file {file}", () => File.Delete(file));
            }
        }

        return swept;
    }

    // Cgroup paths relative to the hierarchy's root ("/a/bev-chaos-ID") with the fault id of each.
    private static IEnumerable<(string Cgroup, string FaultId)> NamedCgroups(string root)
    {
        if (!Directory.Exists(root))
        {
            yield break;
        }

        var pending = new Queue<(string Path, int Depth)>([(root, 0)]);
        var seen = 0;
        while (pending.TryDequeue(out var next) && seen++ < MaxDirectories)
        {
            string[] children;
            try
            {
                children = Directory.GetDirectories(next.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var child in children)
            {
                var name = Path.GetFileName(child);
                if (name.StartsWith(CgroupConfinement.ChildPrefix, StringComparison.Ordinal) && name.Length > CgroupConfinement.ChildPrefix.Length)
                {
                    yield return (child[root.TrimEnd('/').Length..], name[CgroupConfinement.ChildPrefix.Length..]);
                }
                else if (next.Depth < MaxDepth)
                {
                    pending.Enqueue((child, next.Depth + 1));
                }
            }
        }
    }

    private static IEnumerable<string> FillFiles(IEnumerable<string> roots)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = MaxFillDepth, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var root in roots.Where(Directory.Exists).Distinct(StringComparer.Ordinal))
        {
            IEnumerable<string> files;
            try
            {
                files = Directory.EnumerateFiles(root, DiskFillConstants.FilePrefix + "*.dat", options).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var file in files)
            {
                yield return file;
            }
        }
    }

    private static string ParentOf(string cgroup) => cgroup[..cgroup.LastIndexOf('/')] is { Length: > 0 } parent ? parent : "/";

    private static void DissolveV1(string controller, string cgroup)
    {
        if (controller == "freezer")
        {
            CgroupV1.Write(controller, cgroup, "freezer.state", "THAWED");
        }

        CgroupV1.Dissolve(controller, cgroup, ParentOf(cgroup));
    }

    // v2 keeps no processes beside a child with controllers: when the parent cannot take them
    // back (EBUSY), and our child is its only one, the controllers are taken off the parent first.
    private static void DissolveV2(string cgroup)
    {
        if (File.Exists(Path.Combine(CgroupV2.PathOf(cgroup), "cgroup.freeze")))
        {
            CgroupV2.Write(cgroup, "cgroup.freeze", "0");
        }

        var parent = ParentOf(cgroup);
        try
        {
            CgroupV2.Dissolve(cgroup, parent);
        }
        catch (IOException) when (parent != "/" && Directory.GetDirectories(CgroupV2.PathOf(parent)).Length == 1)
        {
            foreach (var controller in CgroupV2.SubtreeControl(parent))
            {
                CgroupV2.SetSubtreeControl(parent, controller, enabled: false);
            }

            CgroupV2.Dissolve(cgroup, parent);
        }
    }

    private static void Try(List<string> swept, ILogger logger, string what, Action undo)
    {
        try
        {
            undo();
            swept.Add(what);
            LogSwept(logger, what);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FeatureUnavailableException)
        {
            LogSweepFailed(logger, what, ex.Message);
        }
    }

    // Fault ids as FaultRequestValidator makes them: the fault type, '-', 12 hex digits.
    [GeneratedRegex("^[a-z][a-z_]*-[0-9a-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex FaultId();

    [LoggerMessage(EventId = 304, Level = LogLevel.Critical, Message = "Swept {What}: it carries a fault's name, but no journal or copy holds that fault (the store and its copies were lost while it was held); undone")]
    private static partial void LogSwept(ILogger logger, string what);

    [LoggerMessage(EventId = 305, Level = LogLevel.Critical, Message = "Could not sweep {What} (a fault's leftover that no journal holds): {Error}; undo it by hand")]
    private static partial void LogSweepFailed(ILogger logger, string what, string error);
}
