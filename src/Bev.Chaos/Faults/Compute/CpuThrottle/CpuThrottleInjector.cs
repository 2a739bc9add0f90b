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
internal sealed class CpuThrottleInjector : FaultInjector
{
    public CpuThrottleInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [CpuPercent] = 50.0 },
        new Dictionary<string, object> { [CpuPercent] = 20.0 },
        new Dictionary<string, object> { [CpuPercent] = 5.0 });

    public override string Name => CpuThrottleConstants.Name;


    /// <inheritdoc />

    public override bool ExclusivePerTarget => true;

    public override FaultCategory Category => FaultCategory.Compute;

    public override string Description => "Caps the target's CPU time with a CFS quota in a cgroup made for the fault.";

    public override IReadOnlyList<FaultParameter> Parameters { get; } =
    [
        FaultParameter.Number(CpuPercent, "CPU allowed, in percent of one core (200 = two cores).", 20, 1, 100 * 1024),
    ];

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected internal override void Validate(FaultContext context, List<ValidationError> errors) =>
        CgroupConfinement.RejectNested(context.Target, "cpu", errors);

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken)
    {
        CgroupLayout.Require("cpu", Name);
        return ValueTask.FromResult(CgroupConfinement.Prepare("cpu", context.Target, context.FaultId));
    }

    protected internal override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var quota = (long)Math.Max(1000, context.Parameters.GetNumber(CpuPercent) / 100.0 * PeriodMicroseconds);
        if (CgroupConfinement.IsV2(undo))
        {
            CgroupConfinement.ApplyV2(undo, child => CgroupV2.Write(child, "cpu.max", FormattableString.Invariant($"{quota} {PeriodMicroseconds}")));
            return ValueTask.FromResult<IAsyncDisposable?>(null);
        }

        CgroupConfinement.Apply(undo, (controller, child) =>
        {
            CgroupV1.Write(controller, child, "cpu.cfs_period_us", PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
            CgroupV1.Write(controller, child, "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture));
        });
        return ValueTask.FromResult<IAsyncDisposable?>(null);
    }

    /// <summary>The throttle holds while the target is in the fault's cgroup; see <see cref="CgroupConfinement.EffectLost"/>.</summary>
    protected internal override string? EffectLost(JsonObject undo) => CgroupConfinement.EffectLost(undo);

    protected internal override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        // Lift the quota first: a task moved out of a throttled group can stay parked until that
        // group's next period, which never comes once the group is deleted.
        if (CgroupConfinement.IsV2(undo))
        {
            CgroupConfinement.RevertV2(undo, child => CgroupV2.Write(child, "cpu.max", FormattableString.Invariant($"max {PeriodMicroseconds}")));
            return ValueTask.CompletedTask;
        }

        CgroupConfinement.Revert(undo, (controller, child) => CgroupV1.Write(controller, child, "cpu.cfs_quota_us", "-1"));
        return ValueTask.CompletedTask;
    }
}
