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
internal sealed class CpuStressInjector : HelperFaultInjector<CpuStressOptions>
{
    public CpuStressInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [Workers] = 1L, [LoadPercent] = 30.0 },
        new Dictionary<string, object> { [Workers] = 1L, [LoadPercent] = 60.0 },
        new Dictionary<string, object> { [Workers] = (long)Environment.ProcessorCount, [LoadPercent] = 90.0 });

    public override string Name => CpuStressConstants.Name;

    public override FaultCategory Category => FaultCategory.Compute;

    public override string Description => "Burns CPU with duty-cycled worker threads, charged to the target's cgroup where it has one.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected override string HelperMode => "cpu";

    protected override IReadOnlyList<string> ChargedTo { get; } = ["cpu", "cpuacct"];

    protected override IReadOnlyDictionary<string, string> HelperOptions(FaultContext context)
    {
        var options = OptionsOf(context);
        return new Dictionary<string, string>
        {
            ["workers"] = options.WorkerThreads.ToString(CultureInfo.InvariantCulture),
            ["load"] = options.BusyPercent.ToString(CultureInfo.InvariantCulture),
        };
    }
}
