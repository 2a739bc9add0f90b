// Example 7 of the original system (the Quick Start's run_basic_test), in C#: a built-in
// scenario, converted to an experiment and run by the ChaosEngineer.
using Bev.Chaos;
using Bev.Chaos.Scenarios;

await RunBasicTestAsync();

static async Task RunBasicTestAsync()
{
    // Initialize components: the engine over the samples' catalog, whose threat-analyzer calls
    // data-collector through the fault proxy (both started and healthy when this returns).
    await using var engine = await ChaosEngine.OpenAsync(Path.Combine(AppContext.BaseDirectory, "chaos_engineer.yaml"));
    var chaosEngineer = engine.Engineer;
    await chaosEngineer.InitializeAsync();

    var scenarioLibrary = new ScenarioLibrary();

    // Get a basic scenario: 100 ms (± 20) on threat-analyzer's connection, for 20 s.
    var scenario = scenarioLibrary.GetScenario("network_latency_light")!;

    // Convert to experiment config and run; a time scale of 0.5 halves every phase.
    var config = scenarioLibrary.ToExperiment(scenario.Name, timeScale: 0.5);
    var result = await chaosEngineer.RunExperimentAsync(config);
    Console.WriteLine($"{scenario.Name} on {string.Join(", ", config.TargetServices)}: {result.Verdict}");

    Console.WriteLine("Basic chaos test completed!");
}
