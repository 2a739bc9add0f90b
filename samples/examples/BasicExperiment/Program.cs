// Example 1 of the original system, in C#: a ChaosEngineer runs an experiment on the web tier —
// CPU burnt in web-server and its calls to api-server delayed, then everything removed, recovery
// awaited and the result reported.
using Bev.Chaos;
using Bev.Chaos.Experiments;

// The engine over the samples' catalog: web-server and api-server are started (small loopback
// HTTP services) and healthy when this returns; disposing it stops them.
await using var engine = await ChaosEngine.OpenAsync(Path.Combine(AppContext.BaseDirectory, "chaos_engineer.yaml"));
var chaosEngineer = engine.Engineer;
await chaosEngineer.InitializeAsync();

var config = new ExperimentConfig
{
    Name = "web_service_resilience",
    TargetServices = ["web-server", "api-server"],
    FaultInjections =
    [
        new FaultInjectionSpec { InjectorName = "cpu_stress", TargetService = "web-server", ProfileName = "cpu_stress_medium", Duration = TimeSpan.FromSeconds(10) },
        new FaultInjectionSpec { InjectorName = "network_delay", TargetService = "web-server", ProfileName = "network_delay_light", Duration = TimeSpan.FromSeconds(10) },
    ],
    SafetyLevel = SafetyLevel.Medium,
};

var result = await chaosEngineer.RunExperimentAsync(config);

Console.WriteLine($"experiment {result.Name}: {result.Verdict} in {(result.Ended - result.Started).TotalSeconds:0.0} s");
foreach (var fault in result.Faults)
{
    Console.WriteLine($"  {fault.InjectorName} on {fault.TargetService}: {fault.InjectedAt:HH:mm:ss} to {fault.RemovedAt:HH:mm:ss}");
}

foreach (var reason in result.Reasons)
{
    Console.WriteLine($"  {reason}");
}

return result.Verdict == ExperimentVerdict.Passed ? 0 : 1;
