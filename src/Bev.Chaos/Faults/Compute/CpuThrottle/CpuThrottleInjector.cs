using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Helpers;
using Bev.Chaos.Targets.Linux;
using static Bev.Chaos.Faults.Compute.CpuThrottle.CpuThrottleConstants;

namespace Bev.Chaos.Faults.Compute.CpuThrottle;

/// <summary>
/// Caps the target's CPU with CFS bandwidth: a child cpu cgroup with
/// <c>cpu.cfs_quota_us = cpu_percent% of cpu.cfs_period_us</c>. Removal moves the target back.
/// </summary>
internal sealed class CpuThrottleInjector : CgroupLimitFaultInjector<CpuThrottleOptions>
{
    public CpuThrottleInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [CpuPercent] = 50.0 },
        new Dictionary<string, object> { [CpuPercent] = 20.0 },
        new Dictionary<string, object> { [CpuPercent] = 5.0 });

    public override string Name => CpuThrottleConstants.Name;

    protected override string Controller => "cpu";

    public override FaultCategory Category => FaultCategory.Compute;

    public override string Description => "Caps the target's CPU time with a CFS quota in a cgroup made for the fault.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected override void WriteLimitV1(FaultContext context, JsonObject recipe, string controller, string child)
    {
        CgroupV1.Write(controller, child, "cpu.cfs_period_us", PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
        CgroupV1.Write(controller, child, "cpu.cfs_quota_us", Quota(context).ToString(CultureInfo.InvariantCulture));
    }

    protected override void WriteLimitV2(FaultContext context, JsonObject recipe, string child) =>
        CgroupV2.Write(child, "cpu.max", FormattableString.Invariant($"{Quota(context)} {PeriodMicroseconds}"));

    // Lifted first: a task moved out of a throttled group can stay parked until that group's next
    // period, which never comes once the group is deleted.
    protected override void LiftLimitV1(JsonObject recipe, string controller, string child) =>
        CgroupV1.Write(controller, child, "cpu.cfs_quota_us", "-1");

    protected override void LiftLimitV2(JsonObject recipe, string child) =>
        CgroupV2.Write(child, "cpu.max", FormattableString.Invariant($"max {PeriodMicroseconds}"));

    private static long Quota(FaultContext context) =>
        (long)Math.Max(1000, OptionsOf(context).CpuPercentOfOneCore / 100.0 * PeriodMicroseconds);
}
