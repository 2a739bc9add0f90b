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

        // Timers tick in whole milliseconds and can wake a fraction early; a chunk must never leave
        // before its delay, so wait again for whatever is left.
        while (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait < OneTick ? OneTick : wait, link.Time, cancellationToken).ConfigureAwait(false);
            wait = delay - link.Time.GetElapsedTime(chunk.Arrival);
        }

        return ChunkVerdict.Pass;
    }
}
