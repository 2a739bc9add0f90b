namespace Bev.Chaos.Proxy.Toxics;

/// <summary>
/// <c>bandwidth</c>: at most <c>rate</c> KB/s (1 KB = 1000 bytes, as Toxiproxy counts). Chunks are
/// scheduled on a running clock, so sleep overshoot does not accumulate into a lower rate.
/// </summary>
internal sealed class BandwidthToxic(ToxicDefinition definition) : Toxic(definition)
{
    private sealed class Schedule
    {
        public long NextFree;
    }

    public override object? CreateState() => new Schedule();

    public override async ValueTask<ChunkVerdict> OnChunkAsync(ProxyLink link, Chunk chunk, object? state, CancellationToken cancellationToken)
    {
        var rate = Definition.Attribute("rate") * 1000.0;
        if (rate <= 0)
        {
            return ChunkVerdict.Pass;
        }

        var schedule = (Schedule)state!;
        var now = link.Time.GetTimestamp();
        var start = Math.Max(schedule.NextFree, now);
        schedule.NextFree = start + (long)(chunk.Length / rate * link.Time.TimestampFrequency);
        var wait = TimeSpan.FromSeconds((double)(schedule.NextFree - now) / link.Time.TimestampFrequency);
        if (wait > TimeSpan.Zero)
        {
            Counters.AddBytesDelayed(chunk.Length);
            await Task.Delay(wait, link.Time, cancellationToken).ConfigureAwait(false);
        }

        return ChunkVerdict.Pass;
    }
}
