// Example 4 of the original system, in C#: the scenario library. It needs no engine and no
// target: the built-in scenarios and suites are part of the package.
using Bev.Chaos.Scenarios;

var library = new ScenarioLibrary();

// Get a specific scenario
var scenario = library.GetScenario("network_latency_light");
Console.WriteLine($"scenario {scenario?.Name}: {scenario?.Description}");

// Get scenarios by category
var networkScenarios = library.GetScenariosByCategory(ScenarioCategory.Network);
Console.WriteLine($"network scenarios: {string.Join(", ", networkScenarios.Select(s => s.Name))}");

// Get a scenario suite
var basicSuite = library.GetScenarioSuite("basic_resilience");
Console.WriteLine($"suite basic_resilience: {string.Join(", ", basicSuite.Select(s => s.Name))}");
