using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Application.ServiceCrash.ServiceCrashConstants;

namespace Bev.Chaos.Faults.Application.ServiceCrash;

/// <summary>The options of <c>service_crash</c>.</summary>
internal sealed record ServiceCrashOptions
{
    /// <summary>The signal to send, by name.</summary>
    [FaultOption(Signal, "The signal to send.", AllowedValues = ["SIGKILL", "SIGTERM", "SIGINT", "SIGQUIT", "SIGABRT", "SIGSEGV", "SIGHUP"])]
    public string SignalName { get; init; } = DefaultSignal;
}
