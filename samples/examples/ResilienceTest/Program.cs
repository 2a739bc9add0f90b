// Example 3 of the original system, in C#: a resilience test of the OSINT pipeline's first two
// services — constant load on data-collector through baseline, failure (the built-in
// service_crash scenario: data-collector killed, restarted by the engine), recovery and
// validation; then the verdict against 99 % availability, the score and the figures.
using Bev.Chaos;
using Bev.Chaos.Resilience;

// The engine over the samples' catalog: data-collector and threat-analyzer are started and
// healthy when this returns.
await using var engine = await ChaosEngine.OpenAsync(Path.Combine(AppContext.BaseDirectory, "chaos_engineer.yaml"));
var tester = new ResilienceTester(engine);
await tester.InitializeAsync();

var config = new ResilienceTestConfig
{
    Name = "osint_pipeline_resilience",
    TargetServices = ["data-collector", "threat-analyzer"],
    FailureScenarios = ["service_crash"],
    AvailabilityThreshold = 99.0,
    // Shorter phases than the defaults, so that the sample ends in about 20 seconds. The load
    // goes to the first target's health_url (data-collector's), as no LoadUrl is given.
    BaselineDuration = TimeSpan.FromSeconds(5),
    RecoveryWindow = TimeSpan.FromSeconds(10),
    ValidationDuration = TimeSpan.FromSeconds(5),
};

var result = await tester.RunResilienceTestAsync(config);

Console.WriteLine($"resilience test {result.Name}: {result.Verdict}, score {result.Score?.Value:0.0}, load {result.LoadUrl} at {result.Rate:0} req/s");
foreach (var phase in result.Phases)
{
    Console.WriteLine($"  {phase.Phase}: {phase.Requests} requests, {phase.AvailabilityPercent:0.00} % available, p99 {phase.P99Ms:0.0} ms");
}

foreach (var scenario in result.Scenarios)
{
    Console.WriteLine($"  scenario {scenario.Name}: {scenario.ExperimentVerdict}, availability {scenario.AvailabilityPercent:0.00} %");
}

foreach (var reason in result.Reasons)
{
    Console.WriteLine($"  {reason}");
}
