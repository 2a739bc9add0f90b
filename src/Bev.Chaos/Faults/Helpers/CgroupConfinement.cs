using System.Text.Json.Nodes;
using Bev.Chaos.Targets;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Faults.Helpers;

/// <summary>
/// Puts a target's processes into a child cgroup made for one fault, beneath the cgroup they are
/// in, so that a limit set there applies to them alone and removal is "move back, delete the
/// child" — no value anyone else set is ever changed.
/// </summary>
internal static class CgroupConfinement
{
    public const string ChildPrefix = "bev-chaos-";

    /// <summary>Adds an error when the target already sits in a fault's cgroup for this controller.</summary>
    public static void RejectNested(ResolvedTarget target, string controller, List<ValidationError> errors)
    {
        var path = ProcFs.ReadCgroups(target.MainProcess.Pid).GetValueOrDefault(controller, "/");
        if (path.Contains("/" + ChildPrefix, StringComparison.Ordinal))
        {
            errors.Add(new ValidationError("target_service", target.Name, $"a target not already confined by another fault on cgroup {controller} (it is in {path})"));
        }
    }

    /// <summary>The recipe: where each process was, and the child cgroup to make.</summary>
    public static JsonObject Prepare(string controller, ResolvedTarget target, string faultId)
    {
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

    /// <summary>The cgroup the target has of its own for <paramref name="controller"/>, or null when it shares the engine's or the root.</summary>
    public static string? OwnCgroupOf(ResolvedTarget target, string controller)
    {
        var path = ProcFs.ReadCgroups(target.MainProcess.Pid).GetValueOrDefault(controller, "/");
        var engine = ProcFs.ReadCgroups(Environment.ProcessId).GetValueOrDefault(controller, "/");
        return path == "/" || path == engine || !CgroupV1.IsAvailable(controller) ? null : path;
    }
}
