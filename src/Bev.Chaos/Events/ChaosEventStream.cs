using System.Threading.Channels;

namespace Bev.Chaos.Events;

/// <summary>
/// The one event stream. Publishing never blocks the engine: each subscriber has a bounded
/// queue that drops its oldest events when the subscriber falls behind.
/// </summary>
public sealed class ChaosEventStream
{
    private readonly Lock _gate = new();
    private ImmutableSubscribers _subscribers = new([]);

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
        var channel = Channel.CreateBounded<ChaosEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _subscribers = new ImmutableSubscribers([.. _subscribers.Channels, channel]);
        }

        return new Subscription(this, channel);
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

    /// <summary>One subscriber's queue.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly ChaosEventStream _stream;
        private readonly Channel<ChaosEvent> _channel;

        internal Subscription(ChaosEventStream stream, Channel<ChaosEvent> channel)
        {
            _stream = stream;
            _channel = channel;
        }

        /// <summary>The events, in publication order.</summary>
        public ChannelReader<ChaosEvent> Reader => _channel.Reader;

        public void Dispose() => _stream.Unsubscribe(_channel);
    }
}
