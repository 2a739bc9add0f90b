using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.Proxy;

/// <summary>
/// Sizes the kernel buffers of a proxied socket whose peer is on loopback. Left to itself, the
/// kernel's autotuning sees the proxy read fast and grows the receive buffer to tcp_rmem's maximum
/// (32 MiB here); the buffer then never fills, every send of the peer goes straight into it and
/// wakes the proxy for a small read, and the sender pays for delivering it. With a buffer that
/// fills, the peer's data moves when the proxy's read opens the window, in the proxy's time and in
/// larger reads — the way HAProxy's sockets run. A send buffer of the same size measured faster
/// again, most on one connection. On iperf3 the two took the proxy from 0.90× HAProxy to
/// 1.01–1.11× on 64 streams in both directions, and from 1.14× to 1.2–1.4× on one
/// (bench/RESULTS.md, with the measurements that chose the size). A loopback round trip takes tens
/// of microseconds, so these buffers still cover its bandwidth-delay product many times over;
/// across a real network the window has to cover the path's, so there autotuning stays in charge.
/// </summary>
internal static class LoopbackSocketBuffers
{
    /// <summary>The SO_RCVBUF and SO_SNDBUF value set; the kernel doubles it for its bookkeeping, so each buffer holds up to 512 KiB.</summary>
    public const int Bytes = 256 << 10;

    /// <summary>Sizes <paramref name="socket"/>'s buffers when <paramref name="peer"/> is a loopback address.</summary>
    public static void Apply(Socket socket, EndPoint? peer)
    {
        if (peer is IPEndPoint { Address: var address } && IsLoopback(address))
        {
            socket.ReceiveBufferSize = Bytes;
            socket.SendBufferSize = Bytes;
        }
    }

    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
