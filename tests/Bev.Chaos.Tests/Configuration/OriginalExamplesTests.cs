using Bev.Chaos.Configuration;
using Bev.Chaos.Probes;
using Bev.Chaos.Safety;
using Bev.Chaos.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Bev.Chaos.Tests.Configuration;

/// <summary>The original system's configuration blocks (ORIGINAL-EXAMPLES.md, examples 8 and 9), verbatim but for the addresses.</summary>
public sealed class OriginalExamplesTests
{
    private const string SafetyBlock = OriginalExamples.SafetyBlock;

    private const string GlobalInjectorsIntegration = OriginalExamples.GlobalInjectorsIntegration;

    [Fact]
    public void Parse_OriginalSafetyBlock_LoadsInTheOriginalUnits()
    {
        var safety = ChaosConfigurationLoader.Parse(SafetyBlock, "chaos_engineer.yaml").Safety;

        Assert.False(safety.ProductionMode);
        Assert.True(safety.RequireApprovalForCritical);
        Assert.True(safety.AutoRollbackEnabled);
        Assert.Equal(TimeSpan.FromSeconds(5), safety.SafetyMonitoringInterval);
        Assert.Equal(90, safety.MaxCpuUsage);
        Assert.Equal(85, safety.MaxMemoryUsage);
        Assert.Equal(50, safety.MaxErrorRate);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), safety.MaxResponseTime);
    }

    [Fact]
    public void Parse_OriginalGlobalInjectorsAndIntegration_LoadAsWritten()
    {
        var config = ChaosConfigurationLoader.Parse(GlobalInjectorsIntegration, "chaos_engineer.yaml");

        Assert.Equal(3, config.Global.MaxConcurrentExperiments);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Global.SafetyCheckInterval);
        Assert.Equal(0.8, config.Global.EmergencyStopThreshold);
        Assert.True(config.FaultInjectors["network_delay"].Enabled);
        Assert.Equal(2000, config.FaultInjectors["network_delay"].Caps["max_delay_ms"]);
        Assert.True(config.FaultInjectors["cpu_stress"].Enabled);
        Assert.Equal(95, config.FaultInjectors["cpu_stress"].Caps["max_cpu_load"]);
        Assert.Equal(new Uri("http://127.0.0.1:8080"), config.Integration.AutoRecoveryUrl);
        Assert.Equal(new Uri("http://127.0.0.1:8080"), config.Integration.HealthMonitorUrl);
    }

    [Fact]
    public void LoadFile_AllFourOriginalBlocksInOneFile_Loads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bev-chaos-original-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, OriginalExamples.ChaosEngineerYaml());
        try
        {
            var config = ChaosConfigurationLoader.LoadFile(path);

            Assert.Equal((3, 50.0, 95.0), (config.Global.MaxConcurrentExperiments, config.Safety.MaxErrorRate, config.FaultInjectors["cpu_stress"].Caps["max_cpu_load"]));
            Assert.Empty(ChaosConfigurationValidator.Check(config));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(6, true)]
    [InlineData(4, false)]
    public void Check_OriginalMaxErrorRateFiftyPercent_BreachesAtSixtyNotAtForty(int failed, bool breach)
    {
        // Host CPU and memory are this machine's, not the test's: lifted so that only the error rate counts.
        var safety = ChaosConfigurationLoader.Parse(SafetyBlock, "chaos_engineer.yaml").Safety with { MaxCpuUsage = 100, MaxMemoryUsage = 100 };
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var probes = Enumerable.Range(0, 10).Select(i => new ProbeResult("web", time.GetUtcNow().AddSeconds(i), i >= failed, TimeSpan.FromMilliseconds(20), string.Empty)).ToList();

        var result = new SafetyMonitor(safety, time).Check(probes);

        if (breach)
        {
            Assert.NotNull(result);
            Assert.Equal(("max_error_rate", 60.0, 50.0), (result.Threshold, result.Observed, result.Limit));
        }
        else
        {
            Assert.Null(result);
        }
    }

    [Theory]
    [InlineData(6000, true)]
    [InlineData(4000, false)]
    public void Check_OriginalMaxResponseTime5000Ms_BreachesAt6sNotAt4s(int latencyMs, bool breach)
    {
        var safety = ChaosConfigurationLoader.Parse(SafetyBlock, "chaos_engineer.yaml").Safety with { MaxCpuUsage = 100, MaxMemoryUsage = 100 };
        var time = new FakeTimeProvider();
        var probes = new[] { new ProbeResult("web", time.GetUtcNow(), true, TimeSpan.FromMilliseconds(latencyMs), string.Empty) };

        var result = new SafetyMonitor(safety, time).Check(probes);

        Assert.Equal(breach ? ("max_response_time", (double)latencyMs, 5000.0) : default, result is null ? default : (result.Threshold, result.Observed, result.Limit));
    }

    [Fact]
    public void Parse_ExplicitUnits_AcceptedWhereAPercentageOrDurationIs()
    {
        const string yaml = """
            global:
              safety_check_interval: 2m
            safety:
              safety_monitoring_interval: 250ms
              max_cpu_usage: 90%
              max_memory_usage: "85 %"
              max_error_rate: 50%
              max_response_time: 5s
            """;

        var config = ChaosConfigurationLoader.Parse(yaml, "u.yaml");

        Assert.Equal(TimeSpan.FromMinutes(2), config.Global.SafetyCheckInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), config.Safety.SafetyMonitoringInterval);
        Assert.Equal((90.0, 85.0, 50.0), (config.Safety.MaxCpuUsage, config.Safety.MaxMemoryUsage, config.Safety.MaxErrorRate));
        Assert.Equal(TimeSpan.FromSeconds(5), config.Safety.MaxResponseTime);
    }

    [Fact]
    public void Parse_UnitThatDoesNotFitOrOutOfRange_NamesFileLineKeyValueAndAllowed()
    {
        const string yaml = """
            global:
              safety_check_interval: 50%
            safety:
              max_error_rate: 5s
              max_cpu_usage: 150%
              max_response_time: 20%
              safety_monitoring_interval: 2h
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse(yaml, "u.yaml"));

        Assert.Equal(
            [
                "u.yaml:2: global.safety_check_interval: '50%' is not allowed; allowed: a duration from 100ms to 1h (seconds, or with ms/s/m/h)",
                "u.yaml:4: safety.max_error_rate: '5s' is not allowed; allowed: a percentage from 0 to 100 (e.g. 50 or 50%)",
                "u.yaml:5: safety.max_cpu_usage: '150%' is not allowed; allowed: a percentage from 1 to 100 (e.g. 50 or 50%)",
                "u.yaml:6: safety.max_response_time: '20%' is not allowed; allowed: a duration from 1ms to 10m (milliseconds, or with ms/s/m/h)",
                "u.yaml:7: safety.safety_monitoring_interval: '2h' is not allowed; allowed: a duration from 100ms to 1h (seconds, or with ms/s/m/h)",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void LoadFile_ShippedDefaultConfig_UsesTheOriginalUnits()
    {
        var config = ChaosConfigurationLoader.LoadFile(Path.Combine(ChaosConfigurationLoaderTests.RepoRoot(), "config", "chaos_engineer.yaml"));

        Assert.Equal(50, config.Safety.MaxErrorRate);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), config.Safety.MaxResponseTime);
    }
}
