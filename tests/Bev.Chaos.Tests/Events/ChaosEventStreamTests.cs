using Bev.Chaos.Events;

namespace Bev.Chaos.Tests.Events;

public sealed class ChaosEventStreamTests
{
    [Fact]
    public void SlowSubscriber_LosesItsOldestEvents_AndTheyAreCounted()
    {
        var stream = new ChaosEventStream();
        using var slow = stream.Subscribe(capacity: 2);
        using var keeping = stream.Subscribe(capacity: 16);

        for (var i = 0; i < 5; i++)
        {
            stream.Publish(new EmergencyStopEvent(DateTimeOffset.UnixEpoch.AddSeconds(i), i, TimeSpan.Zero));
        }

        Assert.Equal((3L, 0L, 3L), (slow.Dropped, keeping.Dropped, stream.Dropped));
        var kept = new List<int>();
        while (slow.Reader.TryRead(out var e))
        {
            kept.Add(((EmergencyStopEvent)e).FaultsRemoved);
        }

        Assert.Equal([3, 4], kept);
    }
}
