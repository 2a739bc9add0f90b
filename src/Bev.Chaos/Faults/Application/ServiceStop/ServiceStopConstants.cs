namespace Bev.Chaos.Faults.Application.ServiceStop;

internal static class ServiceStopConstants
{
    public const string Name = "service_stop";
}
