using Bev.Chaos.Faults.Helpers;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults;

/// <summary>The effect helper never outlives its deadline or its engine.</summary>
public sealed class HelperProcessTests
{
    [Fact]
    public async Task Helper_PastItsTimeToLive_ExitsOnItsOwn()
    {
        var helper = await HelperProcess.StartAsync("cpu", new Dictionary<string, string> { ["workers"] = "1", ["load"] = "5" }, TimeSpan.FromMilliseconds(800), null, TestContext.Current.CancellationToken);
        try
        {
            Assert.True(helper.Identity.IsAlive);
            await Poll.UntilAsync(() => !helper.Identity.IsAlive, TimeSpan.FromSeconds(5), "the helper to reach its deadline");
        }
        finally
        {
            await helper.DisposeAsync();
        }
    }

    [Fact]
    public async Task Helper_LifelineCut_ExitsAtOnce()
    {
        var helper = await HelperProcess.StartAsync("memory", new Dictionary<string, string> { ["rate-mb"] = "10", ["max-mb"] = "4" }, TimeSpan.FromMinutes(5), null, TestContext.Current.CancellationToken);
        var identity = helper.Identity;

        await helper.DisposeAsync();

        Assert.False(identity.IsAlive);
    }

    [Fact]
    public async Task Helper_BadArguments_FailsWithItsMessage()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HelperProcess.StartAsync("teleport", new Dictionary<string, string>(), TimeSpan.FromSeconds(5), null, TestContext.Current.CancellationToken));

        Assert.Equal("helper 'teleport' failed to start: unknown helper mode 'teleport'", error.Message);
    }
}
