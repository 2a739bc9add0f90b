namespace Bev.Chaos.Targets.Linux;

/// <summary>
/// Tells, at run time and per controller, whether a host is cgroup v1, v2 or hybrid: a controller
/// mounted as a v1 hierarchy is v1 (exactly as before v2 support); otherwise it is v2 when the
/// unified hierarchy offers it. The freezer on v2 is not a controller but <c>cgroup.freeze</c>,
/// present in every non-root cgroup of a kernel since 5.2, so it is v2 wherever cgroup2 is mounted.
/// </summary>
internal static class CgroupLayout
{
    /// <summary>The v2 name of a v1 controller: <c>blkio</c> is <c>io</c>, <c>cpuacct</c> is part of <c>cpu</c>.</summary>
    public static string V2Name(string controller) => controller switch
    {
        "blkio" => "io",
        "cpuacct" => "cpu",
        _ => controller,
    };

    /// <summary>Which hierarchy serves <paramref name="controller"/> (a v1 name: cpu, cpuacct, memory, blkio, freezer…).</summary>
    public static CgroupVersion VersionOf(string controller)
    {
        if (CgroupV1.IsAvailable(controller))
        {
            return CgroupVersion.V1;
        }

        if (!LibC.IsRoot || CgroupV2.Mount is null)
        {
            return CgroupVersion.None;
        }

        return controller == "freezer" || CgroupV2.Controllers("/").Contains(V2Name(controller))
            ? CgroupVersion.V2
            : CgroupVersion.None;
    }

    /// <summary>Throws a clear error when neither hierarchy has what the fault needs; returns which one does.</summary>
    public static CgroupVersion Require(string controller, string injector)
    {
        var version = VersionOf(controller);
        if (version != CgroupVersion.None)
        {
            return version;
        }

        if (!LibC.IsRoot)
        {
            throw new FeatureUnavailableException($"{injector} needs root to write cgroup '{controller}'");
        }

        var v2 = CgroupV2.Mount is { } mount
            ? $"cgroup v2 at {mount} does not offer '{V2Name(controller)}' (it has: {string.Join(' ', CgroupV2.Controllers("/"))}; in a hybrid layout the v1 hierarchies hold the controllers)"
            : "no cgroup v2 hierarchy is mounted";
        throw new FeatureUnavailableException($"{injector} needs the cgroup '{controller}' controller: it is not mounted as cgroup v1 at {CgroupV1.Root}/{controller}, and {v2}");
    }
}
