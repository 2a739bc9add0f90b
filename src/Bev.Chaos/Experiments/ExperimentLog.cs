using Bev.Chaos.Safety;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Experiments;

/// <summary>The experiment engine's log messages (event ids 400–409).</summary>
internal static partial class ExperimentLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Experiment {ExperimentId} ({Name}) entered {Phase}")]
    public static partial void Phase(ILogger logger, string experimentId, string name, ExperimentStatus phase);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Experiment {ExperimentId} ({Name}) finished: {Verdict} {Reasons}")]
    public static partial void Finished(ILogger logger, string experimentId, string name, ExperimentVerdict verdict, string reasons);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Experiment {ExperimentId}: safety breach {Breach}; aborting and rolling back")]
    public static partial void Breach(ILogger logger, string experimentId, SafetyBreach breach);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Experiment {ExperimentId}: rollback {Rollback} failed: {Failure}")]
    public static partial void RollbackFailed(ILogger logger, string experimentId, string rollback, string failure);
}
