namespace Bev.Chaos.Proxy.Toxics;

/// <summary><c>latency</c>: each chunk leaves <c>latency</c> ± <c>jitter</c> ms after it arrived.</summary>
internal sealed class LatencyToxic(ToxicDefinition definition) : Toxic(definition)
{
    public override async ValueTask<ChunkVerdict> OnChunkAsync(ProxyLink link, Chunk chunk, object? state, CancellationToken cancellationToken)
    {
        var latency = Definition.Attribute("latency");
        var jitter = Definition.Attribute("jitter");
        var delayMs = latency + (jitter > 0 ? (link.NextRandom() * 2 - 1) * jitter : 0);
        var wait = TimeSpan.FromMilliseconds(delayMs) - link.Time.GetElapsedTime(chunk.Arrival);
        if (wait > TimeSpan.Zero)
        {
            Counters.AddBytesDelayed(chunk.Length);
            await Task.Delay(wait, link.Time, cancellationToken).ConfigureAwait(false);
        }

        return ChunkVerdict.Pass;
    }
}
