using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Experiments;

/// <summary>A load that names a catalog target (not a URL) requests that target's health_url, counted by a real server.</summary>
public sealed class TargetLoadTests
{
    [Fact]
    public async Task Load_NamingACatalogTarget_RequestsItsHealthUrlAtTheRate()
    {
        using var server = new LoopbackHttpServer();
        using var elsewhere = new LoopbackHttpServer();
        using var sleeper = TestProcess.Sleeper();
        var configuration = new ChaosConfiguration
        {
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["api"] = new() { Name = "api", Pid = sleeper.Pid, HealthUrl = new Uri(server.Url) },
            },
        };
        using var data = new TempDirectory();
        await using var engine = await ChaosEngine.OpenAsync(configuration, data.Path, cancellationToken: TestContext.Current.CancellationToken);

        var result = await engine.Engineer.RunExperimentAsync(new ExperimentConfig
        {
            Name = "load-on-target",
            Loads = [new LoadSpec { Target = "api", Rate = 20, Duration = TimeSpan.FromSeconds(1) }],
            BaselineDuration = TimeSpan.Zero,
            ValidationDuration = TimeSpan.Zero,
        }, TestContext.Current.CancellationToken);

        // Open loop, bounded by rate × duration: 20 requests, all to the target's health_url.
        Assert.True(result.Verdict == ExperimentVerdict.Passed, string.Join("; ", result.Reasons));
        Assert.Equal(20, server.Requests);
        Assert.Equal(0, elsewhere.Requests);
    }
}
