using Bev.Chaos.Configuration;
using Bev.Chaos.Events;
using Bev.Chaos.Faults;
using Bev.Chaos.Probes;
using Bev.Chaos.Safety;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Experiments;

/// <summary>What an experiment's execution needs from the engine.</summary>
internal sealed record ExperimentServices(
    ChaosConfiguration Configuration,
    FaultInjectionManager Faults,
    SafetyLock SafetyLock,
    ProbeRunner Probes,
    ProcessRunner Processes,
    HttpClient Http,
    ChaosEventStream Events,
    Func<CancellationToken, Task<int>> EmergencyStopAsync,
    TimeProvider Time,
    ILogger Logger);
