using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Helpers;
using Bev.Chaos.Targets.Linux;
using static Bev.Chaos.Faults.Storage.IoDelay.IoDelayConstants;

namespace Bev.Chaos.Faults.Storage.IoDelay;

/// <summary>
/// Slows the target's disk I/O on the block device behind <c>path</c>, in a child cgroup made for
/// the fault: blkio throttling on cgroup v1, <c>io.max</c> on v2. On v1 it acts on reads and direct
/// writes only, since v1 cannot charge buffered writeback to a cgroup; v2 charges writeback too
/// (docs/faults.md says why this was chosen over a FUSE passthrough). Removal moves the target back
/// and deletes the child.
/// </summary>
internal sealed class IoDelayInjector : CgroupLimitFaultInjector<IoDelayOptions>
{
    public IoDelayInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [ReadBps] = 50L * 1024 * 1024, [WriteBps] = 50L * 1024 * 1024 },
        new Dictionary<string, object> { [ReadBps] = 5L * 1024 * 1024, [WriteBps] = 5L * 1024 * 1024 },
        new Dictionary<string, object> { [ReadBps] = 512L * 1024, [WriteBps] = 512L * 1024, [ReadIops] = 20L, [WriteIops] = 20L });

    public override string Name => IoDelayConstants.Name;

    protected override string Controller => "blkio";

    public override FaultCategory Category => FaultCategory.Storage;

    public override string Description => "Throttles the target's disk I/O on the device behind a path (cgroup v2 io.max; v1 blkio: reads and direct writes).";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        base.Validate(context, errors);
        var path = PathOf(context);
        if (!Path.Exists(path))
        {
            errors.Add(new ValidationError($"parameters.{PathParameter}", path, "an existing path"));
        }

        var options = OptionsOf(context);
        if (options is { ReadBytesPerSecond: 0, WriteBytesPerSecond: 0, ReadOperationsPerSecond: 0, WriteOperationsPerSecond: 0 })
        {
            errors.Add(new ValidationError($"parameters.{ReadBps}", "0", "at least one of read_bps, write_bps, read_iops, write_iops above 0"));
        }
    }

    protected override void AddToRecipe(FaultContext context, JsonObject recipe)
    {
        var path = PathOf(context);
        var device = FileSystems.BlockDeviceOf(path)
            ?? throw new FeatureUnavailableException($"io_delay needs a block device, but {path} is on a virtual filesystem ({FileSystems.FileSystemTypeOf(path)}); choose a path on a disk");
        recipe["device"] = $"{device.Major}:{device.Minor}";
    }

    protected override void WriteLimitV1(FaultContext context, JsonObject recipe, string controller, string child)
    {
        var (device, options) = (Device(recipe), OptionsOf(context));
        Throttle(controller, child, "blkio.throttle.read_bps_device", device, options.ReadBytesPerSecond);
        Throttle(controller, child, "blkio.throttle.write_bps_device", device, options.WriteBytesPerSecond);
        Throttle(controller, child, "blkio.throttle.read_iops_device", device, options.ReadOperationsPerSecond);
        Throttle(controller, child, "blkio.throttle.write_iops_device", device, options.WriteOperationsPerSecond);
    }

    protected override void WriteLimitV2(FaultContext context, JsonObject recipe, string child)
    {
        var options = OptionsOf(context);
        CgroupV2.Write(child, "io.max", IoMax(Device(recipe),
            ("rbps", options.ReadBytesPerSecond), ("wbps", options.WriteBytesPerSecond),
            ("riops", options.ReadOperationsPerSecond), ("wiops", options.WriteOperationsPerSecond)));
    }

    protected override void LiftLimitV2(JsonObject recipe, string child) =>
        CgroupV2.Write(child, "io.max", $"{Device(recipe)} rbps=max wbps=max riops=max wiops=max");

    private static string Device(JsonObject recipe) => recipe["device"]!.GetValue<string>();

    private static void Throttle(string controller, string child, string file, string device, long value)
    {
        if (value > 0)
        {
            CgroupV1.Write(controller, child, file, $"{device} {value.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    // v2's io.max takes every limit on one line; 0 (unthrottled) is "max".
    private static string IoMax(string device, params (string Key, long Value)[] limits) =>
        device + string.Concat(limits.Select(l => " " + l.Key + "=" + (l.Value > 0 ? l.Value.ToString(CultureInfo.InvariantCulture) : "max")));

    private static string PathOf(FaultContext context) =>
        Path.GetFullPath(OptionsOf(context).Path ?? Path.GetTempPath());
}
