namespace Bev.Chaos.Targets.Linux;

/// <summary>Which cgroup hierarchy serves a controller on this host.</summary>
internal enum CgroupVersion
{
    /// <summary>Neither hierarchy has the controller (or we may not write it).</summary>
    None,

    /// <summary>A cgroup v1 hierarchy of its own (<c>/sys/fs/cgroup/CONTROLLER</c>).</summary>
    V1,

    /// <summary>The unified cgroup v2 hierarchy (pure v2 at <c>/sys/fs/cgroup</c>, or hybrid at <c>/sys/fs/cgroup/unified</c>).</summary>
    V2,
}
