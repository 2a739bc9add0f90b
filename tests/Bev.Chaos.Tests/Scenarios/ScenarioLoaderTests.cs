using Bev.Chaos.Experiments;
using Bev.Chaos.Scenarios;

namespace Bev.Chaos.Tests.Scenarios;

public sealed class ScenarioLoaderTests
{
    [Fact]
    public void BuiltInLibrary_HasEveryCategoryAndTheFourSuites()
    {
        var library = new ScenarioLibrary();

        Assert.Equal(["advanced_chaos", "basic_resilience", "comprehensive_stress", "osint_specific"], library.Suites.Keys.Order());
        foreach (var category in Enum.GetValues<ScenarioCategory>())
        {
            Assert.NotEmpty(library.GetScenariosByCategory(category));
        }

        Assert.All(library.Scenarios, s => Assert.NotEmpty(ScenarioCompiler.Compile(s).FaultInjections));
        Assert.Equal(3, library.GetScenarioSuite("basic_resilience").Count);
        Assert.NotNull(library.GetScenario("network_latency_light"));
    }

    [Fact]
    public void Compile_WaitsParallelAndRemove_BuildTheTimeline()
    {
        const string yaml = """
            scenarios:
              - name: timeline
                target_services: [api]
                steps:
                  - { name: slow, action_type: inject_fault, parameters: { injector: network_delay, delay_ms: 200, duration: 60s } }
                  - { name: pause, action_type: wait, parameters: { duration: 10s } }
                  - name: together
                    action_type: parallel
                    parameters:
                      steps:
                        - { name: burn, action_type: inject_fault, parameters: { injector: cpu_stress, target: worker, duration: 5s } }
                        - { name: hold, action_type: wait, parameters: { duration: 8s } }
                  - { name: heal, action_type: remove_fault, parameters: { step: slow } }
                  - { name: health, action_type: probe, parameters: { type: http, url: "http://127.0.0.1:9000/health" } }
            """;

        var scenario = Assert.Single(ScenarioLoader.Parse(yaml, "t.yaml").Scenarios);
        var experiment = ScenarioCompiler.Compile(scenario);

        var slow = experiment.FaultInjections.Single(f => f.Name == "slow");
        var burn = experiment.FaultInjections.Single(f => f.Name == "burn");
        Assert.Equal(("api", TimeSpan.Zero, TimeSpan.FromSeconds(18)), (slow.TargetService, slow.Offset, slow.Duration));
        Assert.Equal(200, Convert.ToInt32(slow.Parameters["delay_ms"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(("worker", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)), (burn.TargetService, burn.Offset, burn.Duration));
        Assert.Equal(TimeSpan.FromSeconds(18), experiment.InjectionDuration);
        Assert.Equal("health", Assert.Single(experiment.SteadyStateProbes).Name);
    }

    [Fact]
    public void Compile_LoadNamingATarget_LoadsTheTargetsHealthUrlAndBindsLikeAFault()
    {
        const string yaml = """
            scenarios:
              - name: loaded
                steps:
                  - { name: load, action_type: load, parameters: { target: api, rate: 40, duration: 3s } }
                  - { name: fixed, action_type: load, parameters: { url: "http://127.0.0.1:9/", rate: 5, duration: 1s } }
            """;
        var experiment = ScenarioCompiler.Compile(Assert.Single(ScenarioLoader.Parse(yaml, "l.yaml").Scenarios));

        var named = experiment.Loads[0];
        Assert.Equal(("api", null, 40.0, TimeSpan.FromSeconds(3)), (named.Target, named.Url, named.Rate, named.Duration));
        Assert.Equal(new Uri("http://127.0.0.1:9/"), experiment.Loads[1].Url);
        Assert.Contains("api", ScenarioBinding.Services(experiment));

        var bound = ScenarioBinding.Apply(experiment, new Dictionary<string, string> { ["api"] = "web" });
        var catalog = new Dictionary<string, Bev.Chaos.Configuration.TargetDefinition> { ["web"] = new() { Name = "web", HealthUrl = new Uri("http://127.0.0.1:18084/health") } };
        Assert.Equal(new Uri("http://127.0.0.1:18084/health"), bound.Loads[0].ForCatalog(catalog).Url);
        Assert.Same(experiment.Loads[1], experiment.Loads[1].ForCatalog(catalog));
    }

    [Fact]
    public void Validate_LoadOnATargetWithoutHealthUrl_NamesTheLoadTheTargetAndWhatToWrite()
    {
        var experiment = new ExperimentConfig { Name = "x", Loads = [new LoadSpec { Target = "pid:1" }, new LoadSpec { Url = new Uri("ftp://127.0.0.1/"), Rate = 0 }] };

        var errors = ExperimentValidator.LoadErrors(experiment);

        Assert.Collection(errors,
            e => Assert.Equal(("loads[0].target", "pid:1", "a catalog target with a health_url (or give the load a url, or --bind it to one)"), (e.Field, e.Value, e.Allowed)),
            e => Assert.Equal(("loads[1].url", "ftp://127.0.0.1/"), (e.Field, e.Value)),
            e => Assert.Equal(("loads[1].rate", "0"), (e.Field, e.Value)));
    }

    [Fact]
    public void Parse_BadScenario_ReportsEveryProblemWithFileLineAndKey()
    {
        const string yaml = """
            scenarios:
              - name: broken
                category: weather
                complexity: simple
                colour: blue
                steps:
                  - { name: a, action_type: teleport }
                  - { name: b, action_type: wait, parameters: { duration: -5s } }
                  - { name: c, action_type: remove_fault, parameters: { step: nothing } }
            suites:
              mine: [broken, missing]
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ScenarioLoader.Parse(yaml, "s.yaml"));

        Assert.Equal(
            [
                "s.yaml:3: scenarios[0].category: 'weather' is not allowed; allowed: network, compute, storage, application, integration, cascading",
                "s.yaml:5: scenarios[0].colour: 'blue' is not allowed; allowed: no such key here; known keys: abort_conditions, baseline_duration, category, complexity, description, max_percent, name, recovery_window, rollbacks, safety_level, steady_state, steps, target_services, validation_duration",
                "s.yaml:7: broken.steps.a.action_type: 'teleport' is not allowed; allowed: inject_fault, remove_fault, wait, probe, load or parallel",
                "s.yaml:8: broken.steps.b.parameters.duration: '-5s' is not allowed; allowed: a duration above 0 and at most 1h (seconds, or with ms/s/m/h)",
                "s.yaml:9: broken.steps.c.parameters.step: 'nothing' is not allowed; allowed: the name of an earlier inject_fault step: ",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_MoreThanAThousandScenarios_IsRefusedNamingTheCount()
    {
        var yaml = "scenarios:\n" + string.Concat(Enumerable.Range(0, 1001).Select(i => $"  - {{ name: s{i}, steps: [] }}\n"));

        var error = Assert.Throws<ChaosValidationException>(() => ScenarioLoader.Parse(yaml, "many.yaml"));

        Assert.Equal("many.yaml:2: scenarios: '1001 scenarios' is not allowed; allowed: at most 1000 scenarios a file", Assert.Single(error.Errors).ToString());
    }

    [Fact]
    public void Parse_MoreThanAThousandSteps_IsRefusedNamingTheCount()
    {
        var yaml = "scenarios:\n  - name: long\n    steps:\n" + string.Concat(Enumerable.Range(0, 1001).Select(i => $"      - {{ name: w{i}, action_type: wait, parameters: {{ duration: 1s }} }}\n"));

        var error = Assert.Throws<ChaosValidationException>(() => ScenarioLoader.Parse(yaml, "long.yaml"));

        Assert.Contains(error.Errors, e => e.ToString().EndsWith("steps: '1001 steps' is not allowed; allowed: at most 1000 steps in one list", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ParallelStepsNestedNineDeep_IsRefused()
    {
        var steps = "[]";
        for (var i = 0; i < 9; i++)
        {
            steps = $"[{{ name: p{i}, action_type: parallel, parameters: {{ steps: {steps} }} }}]";
        }

        var error = Assert.Throws<ChaosValidationException>(() => ScenarioLoader.Parse($"scenarios:\n  - name: deep\n    steps: {steps}\n", "deep.yaml"));

        Assert.Contains(error.Errors, e => e.ToString().Contains("'steps nested 9 deep' is not allowed; allowed: steps nested at most 8 deep", StringComparison.Ordinal));
    }

    [Fact]
    public void Library_SuiteNamingUnknownScenario_IsAnError()
    {
        using var dir = new Bev.Chaos.TestSupport.TempDirectory();
        var file = Path.Combine(dir.Path, "mine.yaml");
        File.WriteAllText(file, "scenarios: []\nsuites:\n  mine: [ghost]\n");

        var error = Assert.Throws<ChaosValidationException>(() => new ScenarioLibrary().Load(file));

        Assert.Equal("suites.mine: 'ghost' is not allowed; allowed: names of scenarios in the library", error.Message);
    }

    [Fact]
    public void ToExperiment_TimeScale_ShortensEveryPhase()
    {
        var full = new ScenarioLibrary().ToExperiment("cascading_failure");
        var quick = new ScenarioLibrary().ToExperiment("cascading_failure", 0.1);

        Assert.Equal(SafetyLevel.Critical, full.SafetyLevel);
        Assert.Equal(full.InjectionDuration * 0.1, quick.InjectionDuration);
        Assert.Equal(full.BaselineDuration * 0.1, quick.BaselineDuration);
    }

    [Fact]
    public void Parse_ExperimentLevelKeys_ReachTheExperiment()
    {
        const string yaml = """
            scenarios:
              - name: guarded
                target_services: [api]
                max_percent: 25
                abort_conditions: { max_error_rate: 0.1, safety_monitoring_interval: 1s }
                rollbacks:
                  - { name: flush, url: "http://127.0.0.1:9000/flush", method: POST }
                  - { name: restart, command: ["/usr/bin/systemctl", "restart", "api"] }
                steps:
                  - { name: burn, action_type: inject_fault, parameters: { injector: cpu_stress } }
            """;

        var experiment = ScenarioCompiler.Compile(Assert.Single(ScenarioLoader.Parse(yaml, "g.yaml").Scenarios));

        Assert.Equal(25, experiment.MaxPercent);
        Assert.Equal(0.1, experiment.AbortConditions!.MaxErrorRate);
        Assert.Equal(TimeSpan.FromSeconds(1), experiment.AbortConditions.SafetyMonitoringInterval);
        Assert.Equal(["flush", "restart"], experiment.Rollbacks.Select(r => r.Name));
        Assert.Equal(new Uri("http://127.0.0.1:9000/flush"), experiment.Rollbacks[0].Url);
    }
}
