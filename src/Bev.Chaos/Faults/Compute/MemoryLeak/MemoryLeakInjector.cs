using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Helpers;
using Bev.Chaos.Targets.Linux;
using static Bev.Chaos.Faults.Compute.MemoryLeak.MemoryLeakConstants;

namespace Bev.Chaos.Faults.Compute.MemoryLeak;

/// <summary>
/// Grows resident memory at <c>rate_mb_per_s</c> up to <c>max_mb</c> (every page touched) in a
/// helper that joins the target's memory cgroup when the target has its own, so the target's
/// memory budget is what runs out. Removal ends the helper, which frees it all.
/// </summary>
internal sealed class MemoryLeakInjector : HelperFaultInjector<MemoryLeakOptions>
{
    public MemoryLeakInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [RateMbPerSecond] = 10.0, [MaxMb] = 128L },
        new Dictionary<string, object> { [RateMbPerSecond] = 50.0, [MaxMb] = 512L },
        new Dictionary<string, object> { [RateMbPerSecond] = 200.0, [MaxMb] = 2048L });

    public override string Name => MemoryLeakConstants.Name;

    public override FaultCategory Category => FaultCategory.Compute;

    public override string Description => "Grows resident memory steadily up to a ceiling, in the target's memory cgroup where it has one.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        // Never take the host down: leave at least a quarter of physical memory alone.
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024);
        var max = OptionsOf(context).CeilingMiB;
        if (total > 0 && max > total * 3 / 4)
        {
            errors.Add(new ValidationError($"parameters.{MaxMb}", max.ToString(CultureInfo.InvariantCulture), $"at most {total * 3 / 4} (three quarters of this host's {total} MiB)"));
        }
    }

    protected override string HelperMode => "memory";

    protected override IReadOnlyList<string> ChargedTo { get; } = ["memory"];

    protected override IReadOnlyDictionary<string, string> HelperOptions(FaultContext context)
    {
        var options = OptionsOf(context);
        return new Dictionary<string, string>
        {
            ["rate-mb"] = options.MiBPerSecond.ToString(CultureInfo.InvariantCulture),
            ["max-mb"] = options.CeilingMiB.ToString(CultureInfo.InvariantCulture),
        };
    }
}
