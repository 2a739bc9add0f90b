namespace Bev.Chaos.Faults.Application.ServicePause;

internal static class ServicePauseConstants
{
    public const string Name = "service_pause";
    public const string Method = "method";
    public const string SignalMethod = "signal";
    public const string FreezerMethod = "freezer";
    public const string DockerMethod = "docker";
}
