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
internal sealed class MemoryLimitInjector : FaultInjector
{
    public MemoryLimitInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [LimitMb] = 512L },
        new Dictionary<string, object> { [LimitMb] = 128L },
        new Dictionary<string, object> { [LimitMb] = 32L });

    public override string Name => MemoryLimitConstants.Name;


    /// <inheritdoc />

    public override bool ExclusivePerTarget => true;

    public override FaultCategory Category => FaultCategory.Compute;

    public override string Description => "Lowers the target's memory limit in a cgroup made for the fault.";

    public override IReadOnlyList<FaultParameter> Parameters { get; } =
    [
        FaultParameter.Integer(LimitMb, "The memory limit in MiB.", 256, 4, 1024 * 1024),
    ];

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected internal override void Validate(FaultContext context, List<ValidationError> errors) =>
        CgroupConfinement.RejectNested(context.Target, "memory", errors);

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken)
    {
        CgroupLayout.Require("memory", Name);
        return ValueTask.FromResult(CgroupConfinement.Prepare("memory", context.Target, context.FaultId));
    }

    protected internal override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var bytes = context.Parameters.GetInteger(LimitMb) * 1024 * 1024;
        if (CgroupConfinement.IsV2(undo))
        {
            // v2 never moves charges with a process: the limit governs what the target allocates from now on.
            CgroupConfinement.ApplyV2(undo, child => CgroupV2.Write(child, "memory.max", bytes.ToString(CultureInfo.InvariantCulture)));
            return ValueTask.FromResult<IAsyncDisposable?>(null);
        }

        CgroupConfinement.Apply(undo, (controller, child) =>
        {
            undo["charges_moved"] = TryMoveCharges(controller, child);
            CgroupV1.Write(controller, child, "memory.limit_in_bytes", bytes.ToString(CultureInfo.InvariantCulture));
        });
        return ValueTask.FromResult<IAsyncDisposable?>(null);
    }

    /// <summary>The limit holds while the target is in the fault's cgroup; see <see cref="CgroupConfinement.EffectLost"/>.</summary>
    protected internal override string? EffectLost(JsonObject undo) => CgroupConfinement.EffectLost(undo);

    protected internal override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        if (CgroupConfinement.IsV2(undo))
        {
            CgroupConfinement.RevertV2(undo, child => CgroupV2.Write(child, "memory.max", "max"));
            return ValueTask.CompletedTask;
        }

        CgroupConfinement.Revert(undo);
        return ValueTask.CompletedTask;
    }

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
