using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Helpers;
using Bev.Chaos.Targets.Linux;
using static Bev.Chaos.Faults.Compute.CpuStress.CpuStressConstants;

namespace Bev.Chaos.Faults.Compute.CpuStress;

/// <summary>
/// Burns CPU: <c>workers</c> threads each busy <c>load_percent</c> of the time, in a helper
/// process that joins the target's cpu and cpuacct cgroups when the target has its own, so the
/// target competes with the burn and its accounting shows it.
/// </summary>
internal sealed class CpuStressInjector : FaultInjector
{
    public CpuStressInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [Workers] = 1L, [LoadPercent] = 30.0 },
        new Dictionary<string, object> { [Workers] = 1L, [LoadPercent] = 60.0 },
        new Dictionary<string, object> { [Workers] = (long)Environment.ProcessorCount, [LoadPercent] = 90.0 });

    public override string Name => CpuStressConstants.Name;

    public override FaultCategory Category => FaultCategory.Compute;

    public override string Description => "Burns CPU with duty-cycled worker threads, charged to the target's cgroup where it has one.";

    public override IReadOnlyList<FaultParameter> Parameters { get; } =
    [
        FaultParameter.Integer(Workers, "Busy threads.", DefaultWorkers, 1, 256),
        FaultParameter.Number(LoadPercent, "Share of each worker's time spent busy, in percent.", DefaultLoadPercent, 1, 100, LoadCap),
    ];

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new JsonObject());

    protected internal override async ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var cpu = CgroupConfinement.OwnCgroupOf(context.Target, "cpu");
        var cpuacct = CgroupConfinement.OwnCgroupOf(context.Target, "cpuacct");
        var helper = await HelperProcess.StartAsync("cpu", new Dictionary<string, string>
        {
            ["workers"] = context.Parameters.GetInteger(Workers).ToString(CultureInfo.InvariantCulture),
            ["load"] = context.Parameters.GetNumber(LoadPercent).ToString(CultureInfo.InvariantCulture),
        }, context.Duration + TimeSpan.FromSeconds(1), identity =>
        {
            if (cpu is not null)
            {
                CgroupConfinement.Join("cpu", cpu, identity.Pid);
            }

            if (cpuacct is not null)
            {
                CgroupConfinement.Join("cpuacct", cpuacct, identity.Pid);
            }
        }, cancellationToken).ConfigureAwait(false);
        HelperUndo.Record(undo, helper);
        return helper;
    }

    protected internal override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        HelperUndo.Revert(undo);
        return ValueTask.CompletedTask;
    }
}
