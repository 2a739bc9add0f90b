using Bev.Chaos.Configuration;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests.Configuration;

public sealed class ChaosConfigurationValidatorTests
{
    [Fact]
    public void Validate_CSharpConfigurationWithThreeErrors_OneExceptionListsEveryOneWithPathAndRange()
    {
        var configuration = new ChaosConfiguration
        {
            Global = new GlobalSettings { MaxConcurrentExperiments = 0, EmergencyStopThreshold = 1.5 },
            Safety = new SafetySettings { MaxErrorRate = 150 },
        };

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationValidator.Validate(configuration));

        Assert.Equal(
            [
                "global.max_concurrent_experiments: '0' is not allowed; allowed: a whole number from 1 to 100",
                "global.emergency_stop_threshold: '1.5' is not allowed; allowed: a number from 0 to 1",
                "safety.max_error_rate: '150' is not allowed; allowed: a percentage from 0 to 100 (e.g. 50 or 50%)",
            ],
            error.Errors.Select(e => e.ToString()));
        Assert.All(error.Errors, e => Assert.Null(e.Location));
    }

    [Fact]
    public async Task OpenAsync_MaxConcurrentExperimentsZero_ValidationErrorAndNothingOpened()
    {
        using var data = new TempDirectory();
        var directory = Path.Combine(data.Path, "state");
        var configuration = new ChaosConfiguration { Global = new GlobalSettings { MaxConcurrentExperiments = 0 } };

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => ChaosEngine.OpenAsync(configuration, directory, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("global.max_concurrent_experiments: '0' is not allowed; allowed: a whole number from 1 to 100", Assert.Single(error.Errors).ToString());
        Assert.False(Directory.Exists(directory), "the store must not be opened for an invalid configuration");
    }

    [Fact]
    public void Check_AbortConditionsInFractionsOrSeconds_NamedUnderTheGivenPath()
    {
        var conditions = new SafetySettings { MaxErrorRate = -0.5, MaxResponseTime = TimeSpan.FromMinutes(20), SafetyMonitoringInterval = TimeSpan.FromMilliseconds(10) };

        var errors = ChaosConfigurationValidator.Check(conditions, "abort_conditions").Select(e => e.ToString());

        Assert.Equal(
            [
                "abort_conditions.safety_monitoring_interval: '10ms' is not allowed; allowed: a duration from 100ms to 1h (seconds, or with ms/s/m/h)",
                "abort_conditions.max_error_rate: '-0.5' is not allowed; allowed: a percentage from 0 to 100 (e.g. 50 or 50%)",
                "abort_conditions.max_response_time: '20m' is not allowed; allowed: a duration from 1ms to 10m (milliseconds, or with ms/s/m/h)",
            ],
            errors);
    }

    [Fact]
    public void Check_Defaults_AreValid()
    {
        Assert.Empty(ChaosConfigurationValidator.Check(new ChaosConfiguration()));
    }

    [Fact]
    public void Check_CSharpCatalogAgentsAndTokens_SameRulesAsYaml()
    {
        var configuration = new ChaosConfiguration
        {
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["api"] = new() { Name = "api", Pid = 42, ProcessName = "api", Port = 70000 },
                ["web"] = new() { Name = "web", Kind = TargetKind.Docker, HealthUrl = new Uri("ftp://127.0.0.1/health") },
            },
            Agents = new Dictionary<string, AgentDefinition> { ["edge-1"] = new("edge-1", new Uri("http://127.0.0.1:8181"), "short-secret", TimeSpan.FromMilliseconds(10)) },
            ApiTokens = [new ApiToken("ops", "tiny", ApiRole.Operator)],
            Schedules = [new ScheduleDefinition("nightly", "network_latency_light", "not a cron")],
        };

        var errors = ChaosConfigurationValidator.Check(configuration).Select(e => e.ToString());

        Assert.Equal(
            [
                "targets.api.port: '70000' is not allowed; allowed: a whole number from 1 to 65535",
                "targets.api: '2 ways' is not allowed; allowed: exactly one of command, pid_file, pid, process_name",
                "targets.web.health_url: 'ftp://127.0.0.1/health' is not allowed; allowed: an absolute http:// or https:// URL",
                "targets.web.container: missing; allowed: the container to select: a name, an id, or label:KEY=VALUE",
                "schedules[0].cron: 'not a cron' is not allowed; allowed: a cron expression (5 fields, UTC), e.g. \"0 3 * * *\"",
                "auth.tokens[0].token: '(too short)' is not allowed; allowed: a secret of 16 characters or more (token, or token_env naming a set environment variable)",
                "agents.edge-1.token: '(too short)' is not allowed; allowed: the agent's secret of 16 characters or more (token, or token_env naming a set environment variable)",
                "agents.edge-1.lease: '10ms' is not allowed; allowed: a duration from 1s to 10m (seconds, or with ms/s/m/h)",
            ],
            errors);
    }

    [Fact]
    public void Check_TooManyTargets_IsAnErrorNamingTheLimit()
    {
        var targets = Enumerable.Range(0, ConfigurationLimits.MaxTargets + 1).ToDictionary(i => $"t{i}", i => new TargetDefinition { Name = $"t{i}", Pid = i + 1 });

        var error = Assert.Single(ChaosConfigurationValidator.Check(new ChaosConfiguration { Targets = targets }));

        Assert.Equal("targets: '10001 entries' is not allowed; allowed: at most 10000 entries", error.ToString());
    }

    [Fact]
    public void Parse_RangeErrors_KeepFileLineAndTheTextAsWritten()
    {
        const string yaml = """
            global:
              max_fault_duration: 172800
              default_fault_duration: 0.5
            fault_injectors:
              cpu_stress: { enabled: true, max_cpu_load: -5 }
            targets:
              web: { pid: 12, port: 0 }
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse(yaml, "r.yaml"));

        Assert.Equal(
            [
                "r.yaml:2: global.max_fault_duration: '172800' is not allowed; allowed: a duration from 1s to 24h (seconds, or with ms/s/m/h)",
                "r.yaml:3: global.default_fault_duration: '0.5' is not allowed; allowed: a duration from 1s to 24h (seconds, or with ms/s/m/h)",
                "r.yaml:5: fault_injectors.cpu_stress.max_cpu_load: '-5' is not allowed; allowed: a number from 0 to 1000000000000",
                "r.yaml:7: targets.web.port: '0' is not allowed; allowed: a whole number from 1 to 65535",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_TokenFromEnvironmentTooShort_NamesTheVariableNeverTheSecret()
    {
        var variable = "BEV_CHAOS_TEST_TOKEN_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, "s3cr3t");
        try
        {
            var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse($"auth:\n  tokens:\n    - {{ name: ops, token_env: {variable}, role: operator }}\n", "e.yaml"));

            Assert.Equal($"e.yaml:3: auth.tokens[0].token_env: '{variable}' is not allowed; allowed: a secret of 16 characters or more (token, or token_env naming a set environment variable)", Assert.Single(error.Errors).ToString());
            Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Parse_YamlSyntaxError_SaysWhatAndWhere()
    {
        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse("global:\n  max_concurrent_experiments: 3\n  safety_check_interval: [10\n", "bad.yaml"));

        var single = Assert.Single(error.Errors);
        Assert.Equal("(yaml)", single.Field);
        Assert.StartsWith("bad.yaml:", single.Location, StringComparison.Ordinal);
        Assert.Matches(@"^well-formed YAML; at line \d+, column \d+: \S.*", single.Allowed);
        Assert.DoesNotContain("(Line:", single.Allowed, StringComparison.Ordinal);
        Assert.Equal("(end of file)", single.Value);
    }

    [Fact]
    public void Parse_YamlSyntaxErrorInTheMiddle_ShowsTheLineAsWritten()
    {
        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse("global:\n  max_concurrent_experiments: 3\n  bad: \"unterminated\" x: 1\nsafety: {}\n", "bad.yaml"));

        var single = Assert.Single(error.Errors);
        Assert.Equal(("bad.yaml:3", "bad: \"unterminated\" x: 1"), (single.Location, single.Value));
        Assert.Matches(@"^well-formed YAML; at line 3, column \d+: \S.*", single.Allowed);
    }
}
