namespace Bev.Chaos.Proxy.Toxics;

/// <summary>What a toxic decides for a chunk.</summary>
internal enum ChunkVerdict
{
    /// <summary>Pass it on (possibly later, possibly shortened).</summary>
    Pass,

    /// <summary>Pass what is left of it, then close the connection.</summary>
    PassThenClose,
}

/// <summary>A piece of data read from one side, with the time it arrived.</summary>
internal sealed class Chunk(byte[] buffer, int length, long arrival)
{
    public byte[] Buffer { get; } = buffer;

    public int Length { get; set; } = length;

    /// <summary>TimeProvider timestamp of its arrival: latency counts from here, so it is never counted twice.</summary>
    public long Arrival { get; } = arrival;
}

/// <summary>
/// The behaviour of one toxic type on a link. One instance serves every link of a proxy; per-link
/// state lives in the object <see cref="CreateState"/> returns.
/// </summary>
internal abstract class Toxic(ToxicDefinition definition)
{
    public ToxicDefinition Definition { get; } = definition;

    /// <summary>What this toxic has done, across all links.</summary>
    public ToxicCounters Counters { get; private set; } = new();

    /// <summary>Keeps an updated toxic's counters running on from its previous version.</summary>
    public Toxic WithCounters(ToxicCounters counters)
    {
        Counters = counters;
        return this;
    }

    /// <summary>
    /// A protocol toxic acts per command inside the connection's protocol session, never on a
    /// link's chunks; its toxicity is drawn per matching command, not per connection.
    /// </summary>
    public virtual bool IsProtocol => false;

    public virtual object? CreateState() => null;

    /// <summary>The toxic starts applying on a link (time-based toxics schedule their action here).</summary>
    public virtual void OnAttach(ProxyLink link, object? state)
    {
    }

    /// <summary>The toxic was removed or replaced on a live link.</summary>
    public virtual void OnDetach(ProxyLink link, object? state)
    {
    }

    /// <summary>Acts on a chunk: may wait, may shorten it, may ask for the connection to close.</summary>
    public virtual ValueTask<ChunkVerdict> OnChunkAsync(ProxyLink link, Chunk chunk, object? state, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ChunkVerdict.Pass);

    /// <summary>How long to hold the close of the destination after the source closed.</summary>
    public virtual TimeSpan CloseDelay => TimeSpan.Zero;
}
