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
internal sealed class CpuStressInjector : HelperFaultInjector
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

    protected override string HelperMode => "cpu";

    protected override IReadOnlyList<string> ChargedTo { get; } = ["cpu", "cpuacct"];

    protected override IReadOnlyDictionary<string, string> HelperOptions(FaultContext context) => new Dictionary<string, string>
    {
        ["workers"] = context.Parameters.GetInteger(Workers).ToString(CultureInfo.InvariantCulture),
        ["load"] = context.Parameters.GetNumber(LoadPercent).ToString(CultureInfo.InvariantCulture),
    };
}
