namespace Bev.Chaos.Faults.Application.ServiceStop;

/// <summary>The options of <c>service_stop</c>: the stop's grace.</summary>
internal sealed record ServiceStopOptions : DockerFaultOptions;
