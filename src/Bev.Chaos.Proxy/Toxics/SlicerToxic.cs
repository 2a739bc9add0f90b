namespace Bev.Chaos.Proxy.Toxics;

/// <summary>
/// <c>slicer</c>: data is written in pieces of <c>average_size</c> ± <c>size_variation</c> bytes,
/// <c>delay</c> µs apart. The link asks it to write (<see cref="WriteAsync"/>).
/// </summary>
internal sealed class SlicerToxic(ToxicDefinition definition) : Toxic(definition)
{
    public async ValueTask WriteAsync(ProxyLink link, Chunk chunk, CancellationToken cancellationToken)
    {
        var average = Math.Max(1, Definition.Attribute("average_size"));
        var variation = Definition.Attribute("size_variation");
        var delay = TimeSpan.FromMicroseconds(Definition.Attribute("delay"));
        var offset = 0;
        while (offset < chunk.Length)
        {
            var size = (int)Math.Max(1, average + (variation > 0 ? (long)((link.NextRandom() * 2 - 1) * variation) : 0));
            size = Math.Min(size, chunk.Length - offset);
            await link.WriteToDestinationAsync(chunk.Buffer.AsMemory(offset, size), cancellationToken).ConfigureAwait(false);
            offset += size;
            if (offset < chunk.Length && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, link.Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
