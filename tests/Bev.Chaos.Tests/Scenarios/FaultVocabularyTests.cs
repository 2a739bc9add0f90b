using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;
using Bev.Chaos.Scenarios;

namespace Bev.Chaos.Tests.Scenarios;

/// <summary>One vocabulary for a fault (the original's), aliases alike, in scenario steps; targets, not ports.</summary>
public sealed class FaultVocabularyTests
{
    // The original system's scenarios.yaml example (ORIGINAL-EXAMPLES.md, example 10), verbatim.
    internal const string OriginalExample10 = """
        scenarios:
          - name: "custom_osint_test"
            description: "Custom OSINT resilience test"
            category: "integration"
            complexity: "moderate"
            target_services: ["osint-collector", "threat-analyzer"]
            steps:
              - name: "inject_network_delay"
                action_type: "inject_fault"
                parameters:
                  injector_name: "network_delay"
                  delay_ms: 200
        """;

    [Fact]
    public void Parse_OriginalExample10_CompilesToADelayOnTheFirstTargetService()
    {
        var scenario = Assert.Single(ScenarioLoader.Parse(OriginalExample10, "scenarios.yaml").Scenarios);

        var fault = Assert.Single(ScenarioCompiler.Compile(scenario).FaultInjections);

        Assert.Equal(("custom_osint_test", ScenarioCategory.Integration, ScenarioComplexity.Moderate), (scenario.Name, scenario.Category, scenario.Complexity));
        Assert.Equal(("network_delay", "osint-collector", null), (fault.InjectorName, fault.TargetService, fault.ProfileName));
        Assert.Equal(["delay_ms"], fault.Parameters.Keys);
        Assert.Equal("200", fault.Parameters["delay_ms"]);
        Assert.Equal(TimeSpan.FromSeconds(30), fault.Duration);
    }

    [Theory]
    [InlineData("{ injector_name: network_delay, target_service: api, profile_name: network_delay_light, duration_seconds: 20, delay_ms: 150 }")]
    [InlineData("{ injector: network_delay, target: api, profile: network_delay_light, duration: 20s, delay_ms: 150 }")]
    [InlineData("{ injector_name: network_delay, target: api, profile_name: network_delay_light, duration: 20, parameters: { delay_ms: 150 } }")]
    [InlineData("{ injector_name: network_delay, injector: network_delay, target_service: api, profile_name: network_delay_light, duration_seconds: 20, duration: 20s, delay_ms: 150 }")]
    public void Compile_CanonicalAliasOrNested_GiveTheSameFault(string parameters)
    {
        var fault = Assert.Single(Compile($$"""
            scenarios:
              - name: s
                steps:
                  - { name: slow, action_type: inject_fault, parameters: {{parameters}} }
            """).FaultInjections);

        Assert.Equal(("network_delay", "api", "network_delay_light", TimeSpan.FromSeconds(20)), (fault.InjectorName, fault.TargetService, fault.ProfileName, fault.Duration));
        Assert.Equal(["delay_ms"], fault.Parameters.Keys);
        Assert.Equal("150", fault.Parameters["delay_ms"]);
    }

    [Fact]
    public void Parse_AliasContradictingItsCanonicalField_IsAnErrorNamingBoth()
    {
        const string yaml = """
            scenarios:
              - name: s
                steps:
                  - { name: slow, action_type: inject_fault, parameters: { injector_name: network_delay, injector: cpu_stress, target: api, duration_seconds: 5, duration: 10s } }
                  - { name: twice, action_type: inject_fault, parameters: { injector: network_delay, target: api, delay_ms: 100, parameters: { delay_ms: 300 } } }
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ScenarioLoader.Parse(yaml, "s.yaml"));

        Assert.Equal(
            [
                "s.yaml:4: s.steps.slow.parameters.injector_name: 'injector_name=network_delay, injector=cpu_stress' is not allowed; allowed: injector_name or its alias injector, not both with different values",
                "s.yaml:4: s.steps.slow.parameters.duration_seconds: 'duration_seconds=5, duration=10s' is not allowed; allowed: duration_seconds or its alias duration, not both with different values",
                "s.yaml:5: s.steps.twice.parameters.delay_ms: '100 beside injector_name, 300 under parameters' is not allowed; allowed: one value: write it in one place",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void BuiltInScenarios_NameTargetsNotPorts()
    {
        var library = new ScenarioLibrary();

        foreach (var scenario in library.Scenarios)
        {
            var experiment = ScenarioCompiler.Compile(scenario);
            Assert.All(experiment.SteadyStateProbes, p => Assert.True(p.IsTargetProbe, $"{scenario.Name}: probe {p.Name} has URL {p.Url}"));
            Assert.All(experiment.SteadyStateProbes, p => Assert.Contains(p.Target, scenario.TargetServices));
        }
    }

    [Fact]
    public void ForCatalog_TargetProbe_UsesTheHealthUrlOrElseTheProcesses()
    {
        var probe = new ProbeDefinition { Name = "healthy", Kind = ProbeKind.Http, Target = "api" };
        var withHealth = new Dictionary<string, TargetDefinition> { ["api"] = new() { Name = "api", Pid = 1234, HealthUrl = new Uri("http://127.0.0.1:18099/health") } };
        var without = new Dictionary<string, TargetDefinition> { ["api"] = new() { Name = "api", Pid = 1234 } };

        Assert.Equal((ProbeKind.Http, new Uri("http://127.0.0.1:18099/health")), (probe.ForCatalog(withHealth).Kind, probe.ForCatalog(withHealth).Url));
        Assert.Equal((ProbeKind.Process, "api"), (probe.ForCatalog(without).Kind, probe.ForCatalog(without).Target));
        Assert.Equal(ProbeKind.Process, (probe with { Target = "pid:1234" }).ForCatalog(withHealth).Kind);
    }

    [Fact]
    public void Bind_RenamesTheServiceInFaultsTargetsAndProbes()
    {
        var experiment = new ScenarioLibrary().ToExperiment("service_crash");

        var bound = ScenarioBinding.Apply(experiment, ScenarioBinding.Parse(["data-collector=pid:4242"]));

        Assert.Equal(["pid:4242"], bound.TargetServices);
        Assert.Equal("pid:4242", Assert.Single(bound.FaultInjections).TargetService);
        Assert.Equal("pid:4242", Assert.Single(bound.SteadyStateProbes).Target);
    }

    [Fact]
    public void Check_ServiceMissingFromTheCatalog_SaysHowToBindIt()
    {
        var experiment = new ScenarioLibrary().ToExperiment("network_latency_light");

        var error = Assert.Throws<ChaosValidationException>(() => ScenarioBinding.Check([experiment], ScenarioBinding.Parse(["ghost=pid:1"]), new Dictionary<string, TargetDefinition>()));

        Assert.Equal(
            [
                "--bind: 'ghost=pid:1' is not allowed; allowed: a service the scenario names: threat-analyzer",
                "target_service: 'threat-analyzer' is not allowed; allowed: a service of the catalog (the catalog is empty): bind it for this run with --bind threat-analyzer=pid:N (or name:PROCESS_NAME, docker:CONTAINER, agent:HOST/SERVICE, a catalog name), or load a catalog that has it, e.g. --config config/demo.yaml (the demo pipeline's)",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_BindWithoutEquals_IsAnError()
    {
        var error = Assert.Throws<ChaosValidationException>(() => ScenarioBinding.Parse(["data-collector"]));

        Assert.Equal("--bind: 'data-collector' is not allowed; allowed: SERVICE=TARGET, e.g. data-collector=pid:4242 (TARGET: a catalog name, pid:N, name:PROCESS_NAME, docker:CONTAINER or agent:HOST/SERVICE)", error.Message);
    }

    private static ExperimentConfig Compile(string yaml) => ScenarioCompiler.Compile(Assert.Single(ScenarioLoader.Parse(yaml, "t.yaml").Scenarios));
}
