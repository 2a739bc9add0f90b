namespace Bev.Chaos.Proxy.Toxics;

/// <summary><c>latency</c>: each chunk leaves <c>latency</c> ± <c>jitter</c> ms after it arrived.</summary>
internal sealed class LatencyToxic(ToxicDefinition definition) : Toxic(definition)
{
    private static readonly TimeSpan OneTick = TimeSpan.FromMilliseconds(1);

    public override async ValueTask<ChunkVerdict> OnChunkAsync(ProxyLink link, Chunk chunk, object? state, CancellationToken cancellationToken)
    {
        var latency = Definition.Attribute("latency");
        var jitter = Definition.Attribute("jitter");
        var delayMs = latency + (jitter > 0 ? (link.NextRandom() * 2 - 1) * jitter : 0);
        var delay = TimeSpan.FromMilliseconds(delayMs);
        var wait = delay - link.Time.GetElapsedTime(chunk.Arrival);
        if (wait > TimeSpan.Zero)
        {
            Counters.AddBytesDelayed(chunk.Length);
        }

        // Timers count whole milliseconds from the last tick, so they can wake up to one tick before
        // the due time. A chunk must never leave early: ask for one tick more, and should it still
        // wake early, wait again for what is left.
        while (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + OneTick, link.Time, cancellationToken).ConfigureAwait(false);
            wait = delay - link.Time.GetElapsedTime(chunk.Arrival);
        }

        return ChunkVerdict.Pass;
    }
}
