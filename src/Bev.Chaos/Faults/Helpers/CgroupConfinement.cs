using System.Text.Json.Nodes;
using Bev.Chaos.Targets;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Faults.Helpers;

/// <summary>
/// Puts a target's processes into a child cgroup made for one fault, beneath the cgroup they are
/// in, so that a limit set there applies to them alone and removal is "move back, delete the
/// child" — no value anyone else set is ever changed. On cgroup v2 the same child is made, and
/// where the fault needs a controller the engine also enables it in <c>cgroup.subtree_control</c>
/// from the root down to the target's cgroup wherever it was not, and disables exactly those again
/// on removal (docs/faults.md: "cgroup v2").
/// </summary>
internal static class CgroupConfinement
{
    public const string ChildPrefix = "bev-chaos-";

    // Recipes of v2 confinements carry layout = v2; v1 recipes (also those journaled before v2
    // support) have no layout key and take the v1 path unchanged.
    private const string LayoutKey = "layout";
    private const string V2Layout = "v2";

    /// <summary>Adds an error when the target already sits in a fault's cgroup for this controller.</summary>
    public static void RejectNested(ResolvedTarget target, string controller, List<ValidationError> errors)
    {
        var path = CgroupLayout.VersionOf(controller) == CgroupVersion.V2
            ? CgroupV2.CgroupOf(target.MainProcess.Pid) ?? "/"
            : ProcFs.ReadCgroups(target.MainProcess.Pid).GetValueOrDefault(controller, "/");
        if (path.Contains("/" + ChildPrefix, StringComparison.Ordinal))
        {
            errors.Add(new ValidationError("target_service", target.Name, $"a target not already confined by another fault on cgroup {controller} (it is in {path})"));
        }
    }

    /// <summary>The recipe: where each process was, and the child cgroup to make.</summary>
    public static JsonObject Prepare(string controller, ResolvedTarget target, string faultId)
    {
        if (CgroupLayout.VersionOf(controller) == CgroupVersion.V2)
        {
            return PrepareV2(controller, target, faultId);
        }

        var parent = ProcFs.ReadCgroups(target.MainProcess.Pid).GetValueOrDefault(controller, "/");
        var members = new JsonArray();
        foreach (var process in target.Processes)
        {
            members.Add(new JsonObject
            {
                ["process"] = process.ToString(),
                ["original"] = ProcFs.ReadCgroups(process.Pid).GetValueOrDefault(controller, parent),
            });
        }

        return new JsonObject
        {
            ["controller"] = controller,
            ["parent"] = parent,
            ["child"] = (parent == "/" ? string.Empty : parent) + "/" + ChildPrefix + faultId,
            ["members"] = members,
        };
    }

    /// <summary>Makes the child, lets <paramref name="configure"/> set its limits, then moves the processes in.</summary>
    public static void Apply(JsonObject recipe, Action<string, string> configure)
    {
        var controller = recipe["controller"]!.GetValue<string>();
        var child = recipe["child"]!.GetValue<string>();
        Directory.CreateDirectory(CgroupV1.PathOf(controller, child));
        configure(controller, child);
        foreach (var member in recipe["members"]!.AsArray())
        {
            var identity = ProcessIdentity.Parse(member!["process"]!.GetValue<string>());
            if (identity.IsAlive)
            {
                CgroupV1.MoveProcess(controller, child, identity.Pid);
            }
        }
    }

    /// <summary>Moves every process back where it was (or to the parent) and deletes the child. Idempotent.</summary>
    public static void Revert(JsonObject recipe, Action<string, string>? beforeMoveBack = null)
    {
        var controller = recipe["controller"]!.GetValue<string>();
        var child = recipe["child"]!.GetValue<string>();
        var parent = recipe["parent"]!.GetValue<string>();
        if (!Directory.Exists(CgroupV1.PathOf(controller, child)))
        {
            return;
        }

        beforeMoveBack?.Invoke(controller, child);
        foreach (var member in recipe["members"]!.AsArray())
        {
            var identity = ProcessIdentity.Parse(member!["process"]!.GetValue<string>());
            var original = member["original"]!.GetValue<string>();
            if (identity.IsAlive && ProcFs.ReadCgroups(identity.Pid).GetValueOrDefault(controller) == child)
            {
                CgroupV1.MoveProcess(controller, Directory.Exists(CgroupV1.PathOf(controller, original)) ? original : parent, identity.Pid);
            }
        }

        CgroupV1.Dissolve(controller, child, parent);
    }

    /// <summary>
    /// What of an applied confinement is gone, v1 or v2: its child cgroup removed, or every live
    /// process of the target moved out of it (by systemd, a container runtime or a person); null
    /// while one of them is still in it, or when none lives any more.
    /// </summary>
    public static string? EffectLost(JsonObject recipe)
    {
        var child = recipe["child"]!.GetValue<string>();
        var v2 = IsV2(recipe);
        var controller = recipe["controller"]!.GetValue<string>();
        if (!Directory.Exists(v2 ? CgroupV2.PathOf(child) : CgroupV1.PathOf(controller, child)))
        {
            return $"its cgroup {child} was removed";
        }

        var alive = recipe["members"]!.AsArray().Select(m => ProcessIdentity.Parse(m!["process"]!.GetValue<string>())).Where(p => p.IsAlive).ToList();
        var inside = alive.Where(p => (v2 ? CgroupV2.CgroupOf(p.Pid) : ProcFs.ReadCgroups(p.Pid).GetValueOrDefault(controller)) == child);
        return alive.Count == 0 || inside.Any() ? null : $"its target left the fault's cgroup {child} (pid {alive[0].Pid} was moved out)";
    }

    /// <summary>The cgroup the target has of its own for <paramref name="controller"/>, or null when it shares the engine's or the root.</summary>
    public static string? OwnCgroupOf(ResolvedTarget target, string controller)
    {
        if (CgroupLayout.VersionOf(controller) == CgroupVersion.V2)
        {
            var own = CgroupV2.CgroupOf(target.MainProcess.Pid) ?? "/";
            return own == "/" || own == (CgroupV2.CgroupOf(Environment.ProcessId) ?? "/") ? null : own;
        }

        var path = ProcFs.ReadCgroups(target.MainProcess.Pid).GetValueOrDefault(controller, "/");
        var engine = ProcFs.ReadCgroups(Environment.ProcessId).GetValueOrDefault(controller, "/");
        return path == "/" || path == engine || !CgroupV1.IsAvailable(controller) ? null : path;
    }

    /// <summary>Moves a helper into the target's cgroup that <see cref="OwnCgroupOf"/> found, on whichever hierarchy serves the controller.</summary>
    public static void Join(string controller, string cgroupPath, int pid)
    {
        if (CgroupLayout.VersionOf(controller) == CgroupVersion.V2)
        {
            CgroupV2.MoveProcess(cgroupPath, pid);
        }
        else
        {
            CgroupV1.MoveProcess(controller, cgroupPath, pid);
        }
    }

    /// <summary>Whether a recipe is a cgroup v2 confinement.</summary>
    public static bool IsV2(JsonObject recipe) => recipe[LayoutKey]?.GetValue<string>() == V2Layout;

    /// <summary>
    /// The v2 recipe. A controller cannot be enabled for a child while its parent holds processes,
    /// so when the fault needs one the target must have its cgroup to itself (all its processes
    /// move into the child); the root cgroup is exempt. The freezer needs no controller.
    /// </summary>
    private static JsonObject PrepareV2(string controller, ResolvedTarget target, string faultId)
    {
        var parent = CgroupV2.CgroupOf(target.MainProcess.Pid) ?? "/";
        var v2Controller = controller == "freezer" ? null : CgroupLayout.V2Name(controller);
        var pids = target.Processes.Select(p => p.Pid).ToHashSet();
        if (v2Controller is not null && parent != "/")
        {
            var others = CgroupV2.Processes(parent).Where(pid => !pids.Contains(pid)).ToList();
            if (others.Count > 0)
            {
                throw new FeatureUnavailableException(
                    $"cgroup v2 '{v2Controller}' for this target: it shares its cgroup {parent} with other processes ({string.Join(", ", others.Take(8))}); "
                    + "v2 allows no processes beside a child with controllers, so the engine confines only a target that has its cgroup to itself (a systemd unit, a container, or a cgroup made for it)");
            }
        }

        var members = new JsonArray();
        foreach (var process in target.Processes)
        {
            members.Add(new JsonObject
            {
                ["process"] = process.ToString(),
                ["original"] = CgroupV2.CgroupOf(process.Pid) ?? parent,
            });
        }

        var enable = new JsonArray();
        if (v2Controller is not null)
        {
            foreach (var cgroup in CgroupV2.Lineage(parent).Where(cg => !CgroupV2.SubtreeControl(cg).Contains(v2Controller)))
            {
                enable.Add(cgroup);
            }
        }

        return new JsonObject
        {
            [LayoutKey] = V2Layout,
            ["controller"] = v2Controller ?? controller,
            ["parent"] = parent,
            ["child"] = (parent == "/" ? string.Empty : parent) + "/" + ChildPrefix + faultId,
            ["members"] = members,
            ["enable"] = enable,
        };
    }

    /// <summary>v2: makes the child, moves the processes in, enables the controller down to it, then lets <paramref name="configure"/> set its limits.</summary>
    public static void ApplyV2(JsonObject recipe, Action<string> configure)
    {
        var child = recipe["child"]!.GetValue<string>();
        Directory.CreateDirectory(CgroupV2.PathOf(child));
        foreach (var member in recipe["members"]!.AsArray())
        {
            var identity = ProcessIdentity.Parse(member!["process"]!.GetValue<string>());
            if (identity.IsAlive)
            {
                CgroupV2.MoveProcess(child, identity.Pid);
            }
        }

        var controller = recipe["controller"]!.GetValue<string>();
        foreach (var cgroup in (recipe["enable"]?.AsArray() ?? []).Select(n => n!.GetValue<string>()))
        {
            if (!CgroupV2.SubtreeControl(cgroup).Contains(controller))
            {
                try
                {
                    CgroupV2.SetSubtreeControl(cgroup, controller, enabled: true);
                }
                catch (IOException ex)
                {
                    throw new InvalidOperationException($"cgroup v2: could not enable '{controller}' in {cgroup}/cgroup.subtree_control ({ex.Message}); a cgroup on the way holds processes of its own", ex);
                }
            }
        }

        configure(child);
    }

    /// <summary>
    /// v2: lets <paramref name="beforeMoveBack"/> lift the limits, disables the controllers it enabled
    /// (deepest first; a cgroup that now also holds another fault's child keeps it), moves every
    /// process back and deletes the child. Idempotent.
    /// </summary>
    public static void RevertV2(JsonObject recipe, Action<string>? beforeMoveBack = null)
    {
        var child = recipe["child"]!.GetValue<string>();
        var parent = recipe["parent"]!.GetValue<string>();
        if (CgroupV2.Mount is null || !CgroupV2.Exists(child))
        {
            return;
        }

        beforeMoveBack?.Invoke(child);
        var controller = recipe["controller"]!.GetValue<string>();
        foreach (var cgroup in (recipe["enable"]?.AsArray() ?? []).Select(n => n!.GetValue<string>()).Reverse())
        {
            if (CgroupV2.SubtreeControl(cgroup).Contains(controller) && !HasOtherFaultBeneath(cgroup, child))
            {
                try
                {
                    CgroupV2.SetSubtreeControl(cgroup, controller, enabled: false);
                }
                catch (IOException)
                {
                    // A child someone made meanwhile passes it on further down: theirs now, left as is.
                }
            }
        }

        foreach (var member in recipe["members"]!.AsArray())
        {
            var identity = ProcessIdentity.Parse(member!["process"]!.GetValue<string>());
            var original = member["original"]!.GetValue<string>();
            if (identity.IsAlive && CgroupV2.CgroupOf(identity.Pid) == child)
            {
                CgroupV2.MoveProcess(CgroupV2.Exists(original) ? original : parent, identity.Pid);
            }
        }

        CgroupV2.Dissolve(child, parent);
    }

    private static bool HasOtherFaultBeneath(string cgroup, string ours)
    {
        var root = CgroupV2.PathOf(cgroup);
        var mine = CgroupV2.PathOf(ours);
        return Directory.EnumerateDirectories(root, ChildPrefix + "*", SearchOption.AllDirectories).Any(dir => dir != mine);
    }
}
