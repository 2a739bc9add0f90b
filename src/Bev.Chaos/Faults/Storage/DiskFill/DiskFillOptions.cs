using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Storage.DiskFill.DiskFillConstants;

namespace Bev.Chaos.Faults.Storage.DiskFill;

/// <summary>The options of <c>disk_fill</c>: a fill to a used share or by a size (not both), above a reserve.</summary>
internal sealed record DiskFillOptions
{
    /// <summary>A directory on the filesystem to fill; null: the temp directory (a container's /tmp).</summary>
    [FaultOption(PathParameter, "A directory on the filesystem to fill (under an allowed root).")]
    public string? Path { get; init; }

    /// <summary>Fill until the filesystem is this much used, in percent.</summary>
    [FaultOption(FillPercent, "Fill until the filesystem is this much used, in percent.", Min = 1, Max = 99, CapKey = FillPercentCap)]
    public double? UsedPercent { get; init; }

    /// <summary>Fill by this many MiB (when <see cref="UsedPercent"/> is not given).</summary>
    [FaultOption(SizeMb, "Fill by this many MiB (used when fill_percent is not given).", Min = 1, Max = 16 * 1024 * 1024, CapKey = SizeCap)]
    public long? SizeMiB { get; init; }

    /// <summary>Always leave at least this many MiB available.</summary>
    [FaultOption(ReserveMb, "Always leave at least this many MiB available.", Min = 64, Max = 1024 * 1024)]
    public long ReserveMiB { get; init; } = DefaultReserveMb;
}
