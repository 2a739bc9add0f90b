using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Bev.Chaos.Tests;

public sealed class ExperimentSchedulerTests
{
    [Fact]
    public async Task Schedule_FiresOnCron_AndNeverOverlapsItself()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 30, TimeSpan.Zero));
        var runs = new List<TaskCompletionSource>();
        var started = new List<string>();
        await using var scheduler = new ExperimentScheduler(
            [new ScheduleDefinition("every-five", "network_latency_light", "*/5 * * * *"), new ScheduleDefinition("off", "cpu_stress", "* * * * *", Enabled: false)],
            (scenario, token) =>
            {
                var run = new TaskCompletionSource();
                lock (runs)
                {
                    runs.Add(run);
                    started.Add(scenario);
                }

                return run.Task;
            },
            time);

        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 5, 0, TimeSpan.Zero), Assert.Single(scheduler.Status).Next);

        time.Advance(TimeSpan.FromMinutes(5));
        await Poll.UntilAsync(() => started.Count == 1, TimeSpan.FromSeconds(5), "the first run");

        time.Advance(TimeSpan.FromMinutes(5));
        await Poll.UntilAsync(() => scheduler.Status[0].Skipped == 1, TimeSpan.FromSeconds(5), "the overlapping occurrence skipped");
        Assert.Single(started);

        runs[0].SetResult();
        time.Advance(TimeSpan.FromMinutes(5));
        await Poll.UntilAsync(() => started.Count == 2, TimeSpan.FromSeconds(5), "the next run");
        Assert.Equal(["network_latency_light", "network_latency_light"], started);
        Assert.Equal((2, 1), (scheduler.Status[0].Started, scheduler.Status[0].Skipped));
        runs[1].SetResult();
    }

    [Fact]
    public void Configuration_BadCron_NamesLineAndKey()
    {
        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse("schedules:\n  - name: x\n    scenario: cpu_stress\n    cron: \"every day\"\n", "c.yaml"));

        Assert.Equal("c.yaml:4: schedules[0].cron: 'every day' is not allowed; allowed: a cron expression (5 fields, UTC), e.g. \"0 3 * * *\"", error.Message);
    }
}
