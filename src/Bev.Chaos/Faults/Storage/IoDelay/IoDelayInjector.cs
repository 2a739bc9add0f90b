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
internal sealed class IoDelayInjector : CgroupLimitFaultInjector
{
    public IoDelayInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [ReadBps] = 50L * 1024 * 1024, [WriteBps] = 50L * 1024 * 1024 },
        new Dictionary<string, object> { [ReadBps] = 5L * 1024 * 1024, [WriteBps] = 5L * 1024 * 1024 },
        new Dictionary<string, object> { [ReadBps] = 512L * 1024, [WriteBps] = 512L * 1024, [ReadIops] = 20L, [WriteIops] = 20L });

    public override string Name => IoDelayConstants.Name;

    protected override string Controller => "blkio";

    public override FaultCategory Category => FaultCategory.Storage;

    public override string Description => "Throttles the target's disk I/O on the device behind a path (cgroup v2 io.max; v1 blkio: reads and direct writes).";

    public override IReadOnlyList<FaultParameter> Parameters { get; } =
    [
        FaultParameter.Text(PathParameter, "A path on the disk to slow (default: the temp directory).", null) with { Optional = true },
        FaultParameter.Integer(ReadBps, "Read bytes per second allowed (0 = unthrottled).", 1024 * 1024, 0, long.MaxValue / 2),
        FaultParameter.Integer(WriteBps, "Write bytes per second allowed (0 = unthrottled).", 1024 * 1024, 0, long.MaxValue / 2),
        FaultParameter.Integer(ReadIops, "Read operations per second allowed (0 = unthrottled).", 0, 0, 1_000_000_000),
        FaultParameter.Integer(WriteIops, "Write operations per second allowed (0 = unthrottled).", 0, 0, 1_000_000_000),
    ];

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        base.Validate(context, errors);
        var path = PathOf(context);
        if (!Path.Exists(path))
        {
            errors.Add(new ValidationError($"parameters.{PathParameter}", path, "an existing path"));
        }

        if (new[] { ReadBps, WriteBps, ReadIops, WriteIops }.All(p => context.Parameters.GetInteger(p) == 0))
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
        var device = Device(recipe);
        Throttle(controller, child, "blkio.throttle.read_bps_device", device, context.Parameters.GetInteger(ReadBps));
        Throttle(controller, child, "blkio.throttle.write_bps_device", device, context.Parameters.GetInteger(WriteBps));
        Throttle(controller, child, "blkio.throttle.read_iops_device", device, context.Parameters.GetInteger(ReadIops));
        Throttle(controller, child, "blkio.throttle.write_iops_device", device, context.Parameters.GetInteger(WriteIops));
    }

    protected override void WriteLimitV2(FaultContext context, JsonObject recipe, string child) =>
        CgroupV2.Write(child, "io.max", IoMax(Device(recipe),
            ("rbps", context.Parameters.GetInteger(ReadBps)), ("wbps", context.Parameters.GetInteger(WriteBps)),
            ("riops", context.Parameters.GetInteger(ReadIops)), ("wiops", context.Parameters.GetInteger(WriteIops))));

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
        Path.GetFullPath(context.Parameters.GetStringOrNull(PathParameter) ?? Path.GetTempPath());
}
