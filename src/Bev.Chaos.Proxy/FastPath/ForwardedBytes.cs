namespace Bev.Chaos.Proxy.FastPath;

/// <summary>Bytes a proxy's links have moved on the fast path: shows which path the traffic took.</summary>
internal sealed class ForwardedBytes
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add(long bytes) => Interlocked.Add(ref _count, bytes);
}
