namespace Bev.Chaos.Proxy;

/// <summary>What one toxic has done: connections it applied to, bytes it delayed, resets it sent.</summary>
public sealed class ToxicCounters
{
    private long _connections;
    private long _bytesDelayed;
    private long _resets;

    public long ConnectionsAffected => Interlocked.Read(ref _connections);

    public long BytesDelayed => Interlocked.Read(ref _bytesDelayed);

    public long Resets => Interlocked.Read(ref _resets);

    internal void AddConnection() => Interlocked.Increment(ref _connections);

    internal void AddBytesDelayed(long bytes) => Interlocked.Add(ref _bytesDelayed, bytes);

    internal void AddReset() => Interlocked.Increment(ref _resets);
}
