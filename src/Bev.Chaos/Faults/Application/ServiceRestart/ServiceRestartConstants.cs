namespace Bev.Chaos.Faults.Application.ServiceRestart;

internal static class ServiceRestartConstants
{
    public const string Name = "service_restart";
}
