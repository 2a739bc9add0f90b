using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Storage.IoDelay.IoDelayConstants;

namespace Bev.Chaos.Faults.Storage.IoDelay;

/// <summary>The options of <c>io_delay</c>; a limit of 0 leaves that direction unthrottled.</summary>
internal sealed record IoDelayOptions
{
    /// <summary>A path on the disk to slow; null: the temp directory.</summary>
    [FaultOption(PathParameter, "A path on the disk to slow (default: the temp directory).")]
    public string? Path { get; init; }

    /// <summary>Read bytes per second allowed.</summary>
    [FaultOption(ReadBps, "Read bytes per second allowed (0 = unthrottled).", Min = 0, Max = long.MaxValue / 2)]
    public long ReadBytesPerSecond { get; init; } = 1024 * 1024;

    /// <summary>Write bytes per second allowed.</summary>
    [FaultOption(WriteBps, "Write bytes per second allowed (0 = unthrottled).", Min = 0, Max = long.MaxValue / 2)]
    public long WriteBytesPerSecond { get; init; } = 1024 * 1024;

    /// <summary>Read operations per second allowed.</summary>
    [FaultOption(ReadIops, "Read operations per second allowed (0 = unthrottled).", Min = 0, Max = 1_000_000_000)]
    public long ReadOperationsPerSecond { get; init; }

    /// <summary>Write operations per second allowed.</summary>
    [FaultOption(WriteIops, "Write operations per second allowed (0 = unthrottled).", Min = 0, Max = 1_000_000_000)]
    public long WriteOperationsPerSecond { get; init; }
}
