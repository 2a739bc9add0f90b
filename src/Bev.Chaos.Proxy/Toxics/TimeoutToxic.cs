namespace Bev.Chaos.Proxy.Toxics;

/// <summary>
/// <c>timeout</c>: no data gets through while the toxic is there (it is held, not lost); after
/// <c>timeout</c> ms the connection is closed. 0 = hold until the toxic is removed.
/// </summary>
internal sealed class TimeoutToxic(ToxicDefinition definition) : Toxic(definition)
{
    private sealed class Hold
    {
        public readonly TaskCompletionSource Released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ITimer? Timer;
    }

    public override object? CreateState() => new Hold();

    public override void OnAttach(ProxyLink link, object? state)
    {
        var timeout = Definition.Attribute("timeout");
        if (timeout > 0)
        {
            ((Hold)state!).Timer = link.Time.CreateTimer(_ => link.Connection.Close(reset: false), null, TimeSpan.FromMilliseconds(timeout), Timeout.InfiniteTimeSpan);
        }
    }

    public override void OnDetach(ProxyLink link, object? state)
    {
        var hold = (Hold)state!;
        hold.Timer?.Dispose();
        hold.Released.TrySetResult();
    }

    public override async ValueTask<ChunkVerdict> OnChunkAsync(ProxyLink link, Chunk chunk, object? state, CancellationToken cancellationToken)
    {
        await ((Hold)state!).Released.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return ChunkVerdict.Pass;
    }
}
