using System.Threading.Channels;

namespace Bev.Chaos.Events;

/// <summary>
/// The one event stream. Publishing never blocks the engine: each subscriber has a bounded
/// queue that drops its oldest events when the subscriber falls behind — and counts them.
/// </summary>
public sealed class ChaosEventStream
{
    private readonly Lock _gate = new();
    private ImmutableSubscribers _subscribers = new([]);
    private long _dropped;

    /// <summary>Events dropped across all subscribers because one fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Sends an event to every subscriber.</summary>
    public void Publish(ChaosEvent chaosEvent)
    {
        foreach (var channel in _subscribers.Channels)
        {
            channel.Writer.TryWrite(chaosEvent);
        }
    }

    /// <summary>Starts receiving events; dispose the subscription to stop.</summary>
    public Subscription Subscribe(int capacity = 1024)
    {
        var counter = new DropCounter();
        var channel = Channel.CreateBounded<ChaosEvent>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ =>
            {
                Interlocked.Increment(ref counter.Count);
                Interlocked.Increment(ref _dropped);
            });
        lock (_gate)
        {
            _subscribers = new ImmutableSubscribers([.. _subscribers.Channels, channel]);
        }

        return new Subscription(this, channel, counter);
    }

    private void Unsubscribe(Channel<ChaosEvent> channel)
    {
        lock (_gate)
        {
            _subscribers = new ImmutableSubscribers(_subscribers.Channels.Where(c => c != channel).ToArray());
        }

        channel.Writer.TryComplete();
    }

    private sealed record ImmutableSubscribers(Channel<ChaosEvent>[] Channels);

    internal sealed class DropCounter
    {
        public long Count;
    }

    /// <summary>One subscriber's queue.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly ChaosEventStream _stream;
        private readonly Channel<ChaosEvent> _channel;
        private readonly DropCounter _dropped;

        internal Subscription(ChaosEventStream stream, Channel<ChaosEvent> channel, DropCounter dropped)
        {
            _stream = stream;
            _channel = channel;
            _dropped = dropped;
        }

        /// <summary>The events, in publication order.</summary>
        public ChannelReader<ChaosEvent> Reader => _channel.Reader;

        /// <summary>This subscriber's events dropped because it fell behind.</summary>
        public long Dropped => Interlocked.Read(ref _dropped.Count);

        /// <summary>Stops receiving: removes this subscriber and completes its <see cref="Reader"/>.</summary>
        public void Dispose() => _stream.Unsubscribe(_channel);
    }
}
