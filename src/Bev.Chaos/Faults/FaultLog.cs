using Bev.Chaos.Events;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Faults;

/// <summary>The fault manager's log events (ids 200–204); crash recovery's are on <see cref="FaultReconciler"/> (300–302).</summary>
internal static partial class FaultLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Injected {FaultId} ({Injector} on {Target}) in {LatencyMs:F1} ms for {Duration}")]
    public static partial void LogInjected(ILogger logger, string faultId, string injector, string target, double latencyMs, TimeSpan duration);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Removed {FaultId} ({Injector} on {Target}): {Reason}")]
    public static partial void LogRemoved(ILogger logger, string faultId, string injector, string target, RemovalReason reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Injecting {FaultId} ({Injector} on {Target}) failed: {Error}")]
    public static partial void LogInjectFailed(ILogger logger, string faultId, string injector, string target, string error);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "Reverting {FaultId} ({Injector}) failed: {Error}")]
    public static partial void LogRevertFailed(ILogger logger, string faultId, string injector, string error);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Emergency stop removed {Count} faults in {Milliseconds:F1} ms")]
    public static partial void LogEmergencyStop(ILogger logger, int count, double milliseconds);
}
