using Bev.Chaos.Configuration;

namespace Bev.Chaos.Tests.Configuration;

/// <summary>integration.health_monitor_unreachable is parsed strictly.</summary>
public sealed class HealthMonitorUnreachableConfigTests
{
    private static ChaosConfiguration Parse(string value) => ChaosConfigurationLoader.Parse($"""
        integration:
          health_monitor_url: http://127.0.0.1:9001/metrics
          health_monitor_unreachable: {value}
        """, "chaos.yaml");

    [Theory]
    [InlineData("abort", 1)]
    [InlineData("ignore", 0)]
    [InlineData("breach_after:5", 5)]
    [InlineData("breach_after:100", 100)]
    public void Parse_KnownValue_SetsThePolicy(string value, int breachAfter)
    {
        var policy = Parse(value).Integration.HealthMonitorUnreachable;

        Assert.Equal(breachAfter, policy.BreachAfter);
        Assert.Equal(value, policy.ToString());
    }

    [Fact]
    public void Parse_Absent_IsBreachAfterThree()
    {
        Assert.Equal("breach_after:3", ChaosConfigurationLoader.Parse("integration: {}", "chaos.yaml").Integration.HealthMonitorUnreachable.ToString());
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("breach_after:0")]
    [InlineData("breach_after:101")]
    [InlineData("breach_after:x")]
    [InlineData("Abort")]
    public void Parse_OtherValue_ErrorNamesFileLineKeyValueAndAllowed(string value)
    {
        var error = Assert.Throws<ChaosValidationException>(() => Parse(value));

        var only = Assert.Single(error.Errors);
        Assert.Equal("integration.health_monitor_unreachable", only.Field);
        Assert.Equal(value, only.Value);
        Assert.Equal("abort, ignore or breach_after:N (N consecutive failed reads, 1 to 100)", only.Allowed);
        Assert.Equal("chaos.yaml:3", only.Location);
    }

    [Fact]
    public void LoadFile_TheShippedConfiguration_HasTheDefault()
    {
        var path = Path.Combine(ChaosConfigurationLoaderTests.RepoRoot(), "config", "chaos_engineer.yaml");

        Assert.Equal(HealthMonitorUnreachablePolicy.Default, ChaosConfigurationLoader.LoadFile(path).Integration.HealthMonitorUnreachable);
    }
}
