namespace Bev.Chaos.Proxy.Toxics;

/// <summary><c>limit_data</c>: the connection is closed once <c>bytes</c> bytes have passed.</summary>
internal sealed class LimitDataToxic(ToxicDefinition definition) : Toxic(definition)
{
    private sealed class Count
    {
        public long Passed;
    }

    public override object? CreateState() => new Count();

    public override ValueTask<ChunkVerdict> OnChunkAsync(ProxyLink link, Chunk chunk, object? state, CancellationToken cancellationToken)
    {
        var count = (Count)state!;
        var limit = Definition.Attribute("bytes");
        var left = limit - count.Passed;
        if (chunk.Length >= left)
        {
            chunk.Length = (int)Math.Max(0, left);
            count.Passed = limit;
            return ValueTask.FromResult(ChunkVerdict.PassThenClose);
        }

        count.Passed += chunk.Length;
        return ValueTask.FromResult(ChunkVerdict.Pass);
    }
}
