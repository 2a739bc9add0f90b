using Bev.Chaos.Safety;

namespace Bev.Chaos.Tests;

public sealed class HealthMonitorClientTests
{
    [Fact]
    public void FromJson_ReadsTheKnownValues()
    {
        var values = HealthMonitorClient.FromJson("""{"cpu_usage": 42.5, "error_rate": 0.02, "other": 7, "memory_usage": "high"}""");

        Assert.Equal(new Dictionary<string, double> { ["cpu_usage"] = 42.5, ["error_rate"] = 0.02 }, values);
    }

    [Fact]
    public void FromPrometheus_TakesTheWorstSeries()
    {
        var values = HealthMonitorClient.FromPrometheus("""
            # HELP error_rate share of failed requests
            # TYPE error_rate gauge
            error_rate{service="collector"} 0.01
            error_rate{service="analyzer"} 0.3
            response_time_ms 120
            unrelated_metric 5
            """);

        Assert.Equal(new Dictionary<string, double> { ["error_rate"] = 0.3, ["response_time_ms"] = 120 }, values);
    }
}
