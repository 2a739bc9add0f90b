namespace Bev.Chaos.Faults.Application.ServiceCrash;

internal static class ServiceCrashConstants
{
    public const string Name = "service_crash";
    public const string Signal = "signal";
    public const string DefaultSignal = "SIGKILL";
}
