using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Helpers;
using Bev.Chaos.Targets.Linux;
using static Bev.Chaos.Faults.Compute.MemoryLimit.MemoryLimitConstants;

namespace Bev.Chaos.Faults.Compute.MemoryLimit;

/// <summary>
/// Lowers the memory the target may use: a child memory cgroup with <c>memory.limit_in_bytes</c>,
/// so the kernel reclaims and, past the limit, OOM-kills inside the target only. Where the kernel
/// still has <c>move_charge_at_immigrate</c> (removed in Linux 6.x), the target's resident pages
/// move with it; elsewhere they stay charged where they were and the limit governs what the
/// target allocates from now on. Removal moves it back.
/// </summary>
internal sealed class MemoryLimitInjector : CgroupLimitFaultInjector<MemoryLimitOptions>
{
    public MemoryLimitInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [LimitMb] = 512L },
        new Dictionary<string, object> { [LimitMb] = 128L },
        new Dictionary<string, object> { [LimitMb] = 32L });

    public override string Name => MemoryLimitConstants.Name;

    protected override string Controller => "memory";

    public override FaultCategory Category => FaultCategory.Compute;

    public override string Description => "Lowers the target's memory limit in a cgroup made for the fault.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected override void WriteLimitV1(FaultContext context, JsonObject recipe, string controller, string child)
    {
        recipe["charges_moved"] = TryMoveCharges(controller, child);
        CgroupV1.Write(controller, child, "memory.limit_in_bytes", Bytes(context).ToString(CultureInfo.InvariantCulture));
    }

    // v2 never moves charges with a process: the limit governs what the target allocates from now on.
    protected override void WriteLimitV2(FaultContext context, JsonObject recipe, string child) =>
        CgroupV2.Write(child, "memory.max", Bytes(context).ToString(CultureInfo.InvariantCulture));

    protected override void LiftLimitV2(JsonObject recipe, string child) => CgroupV2.Write(child, "memory.max", "max");

    private static long Bytes(FaultContext context) => OptionsOf(context).LimitMiB * 1024 * 1024;

    private static bool TryMoveCharges(string controller, string child)
    {
        try
        {
            CgroupV1.Write(controller, child, "memory.move_charge_at_immigrate", "3");
            return true;
        }
        catch (IOException)
        {
            // EINVAL: this kernel no longer moves charges between v1 memory cgroups.
            return false;
        }
    }
}
