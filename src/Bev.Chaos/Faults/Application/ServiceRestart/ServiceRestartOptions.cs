namespace Bev.Chaos.Faults.Application.ServiceRestart;

/// <summary>The options of <c>service_restart</c>: the stop's grace.</summary>
internal sealed record ServiceRestartOptions : DockerFaultOptions;
