namespace Bev.Chaos.Proxy;

/// <summary>
/// What one toxic has done: connections it applied to, bytes it delayed, resets it sent; for
/// protocol toxics also the commands it matched and the ones it affected (toxicity drawn).
/// </summary>
public sealed class ToxicCounters
{
    private long _connections;
    private long _bytesDelayed;
    private long _resets;
    private long _matched;
    private long _affected;

    public long ConnectionsAffected => Interlocked.Read(ref _connections);

    public long BytesDelayed => Interlocked.Read(ref _bytesDelayed);

    public long Resets => Interlocked.Read(ref _resets);

    /// <summary>Commands (requests, queries) a protocol toxic's matchers selected.</summary>
    public long Matched => Interlocked.Read(ref _matched);

    /// <summary>Matched commands the toxic acted on (its toxicity drawn true).</summary>
    public long Affected => Interlocked.Read(ref _affected);

    internal void AddConnection() => Interlocked.Increment(ref _connections);

    internal void AddBytesDelayed(long bytes) => Interlocked.Add(ref _bytesDelayed, bytes);

    internal void AddReset() => Interlocked.Increment(ref _resets);

    internal void AddMatched() => Interlocked.Increment(ref _matched);

    internal void AddAffected() => Interlocked.Increment(ref _affected);
}
