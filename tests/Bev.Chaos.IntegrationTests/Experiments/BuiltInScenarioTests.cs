using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Scenarios;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Experiments;

/// <summary>Every built-in scenario resolves and validates against a catalog of real processes (a dry run).</summary>
public sealed class BuiltInScenarioTests
{
    [Fact]
    public async Task EveryBuiltInScenario_ValidatesAgainstTheDemoCatalog()
    {
        using var collector = TestProcess.Sleeper();
        using var analyzer = TestProcess.Sleeper();
        using var processor = TestProcess.Sleeper();
        using var data = new TempDirectory();
        var configuration = new ChaosConfiguration
        {
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["web-server"] = new() { Name = "web-server", Pid = collector.Pid, Port = 18084, Proxies = new Dictionary<string, ProxyRoute> { ["http"] = new("127.0.0.1:18080", "127.0.0.1:18084", "http") } },
                ["data-collector"] = new()
                {
                    Name = "data-collector", Pid = collector.Pid, Port = 18081, HealthUrl = new Uri("http://127.0.0.1:18081/health"), MetricsUrl = new Uri("http://127.0.0.1:18081/metrics"),
                    Proxies = new Dictionary<string, ProxyRoute> { ["analyzer"] = new("127.0.0.1:18085", "127.0.0.1:18082", "http") },
                },
                ["threat-analyzer"] = new() { Name = "threat-analyzer", Pid = analyzer.Pid, Port = 18082, Proxies = new Dictionary<string, ProxyRoute> { ["redis"] = new("127.0.0.1:16379", "127.0.0.1:6379") } },
                ["osint-processor"] = new() { Name = "osint-processor", Pid = processor.Pid, Port = 18083, Proxies = new Dictionary<string, ProxyRoute> { ["redis"] = new("127.0.0.1:16380", "127.0.0.1:6379") } },
            },
        };
        await using var store = ChaosStore.Open(data.Path);
        await using var manager = new FaultInjectionManager(configuration, new FaultJournal(store), new TargetResolver(configuration));
        var library = new ScenarioLibrary();

        foreach (var scenario in library.Scenarios)
        {
            // Probes name targets; the engine looks up their health_url (none here: the processes).
            var named = library.ToExperiment(scenario.Name);
            var experiment = named with
            {
                SteadyStateProbes = [.. named.SteadyStateProbes.Select(p => p.ForCatalog(configuration.Targets))],
                Loads = [.. named.Loads.Select(l => l.ForCatalog(configuration.Targets))],
            };
            ExperimentValidator.Validate(experiment, manager);
            Assert.All(experiment.FaultInjections, f => Assert.Contains(f.TargetService, scenario.TargetServices));
            Assert.All(experiment.Loads, l => Assert.Contains(l.Target!, scenario.TargetServices));
        }

        Assert.Equal(new Uri("http://127.0.0.1:18081/health"), library.ToExperiment("osint_pipeline_stress").Loads.Single().ForCatalog(configuration.Targets).Url);
        Assert.Empty(manager.ActiveFaults);
        Assert.Empty(await new FaultJournal(store).ListRecentAsync(10, TestContext.Current.CancellationToken));
    }
}
