using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.Proxy;

/// <summary>
/// Caps the receive buffer of a proxied socket whose peer is on loopback. Left to itself, the
/// kernel's autotuning sees the proxy read fast and grows the buffer to tcp_rmem's maximum
/// (32 MiB here); the buffer then never fills, every send of the peer goes straight into it and
/// wakes the proxy for a small read, and the sender pays for delivering it. With a buffer that
/// fills, the peer's data moves when the proxy's read opens the window, in the proxy's time and in
/// larger reads — the way HAProxy's sockets run. On 64 iperf3 streams this took the proxy from
/// 0.90× HAProxy to 1.05× client to server and from 0.65× to 1.03× server to client (bench/RESULTS.md).
/// A loopback round trip takes tens of microseconds, so the capped buffer still covers its
/// bandwidth-delay product many times over; across a real network the window has to cover the
/// path's, so there autotuning stays in charge.
/// </summary>
internal static class LoopbackReceiveBuffer
{
    /// <summary>The SO_RCVBUF value set; the kernel doubles it for its bookkeeping, so the buffer holds up to 512 KiB.</summary>
    public const int Bytes = 256 << 10;

    /// <summary>Caps <paramref name="socket"/>'s receive buffer when <paramref name="peer"/> is a loopback address.</summary>
    public static void Apply(Socket socket, EndPoint? peer)
    {
        if (peer is IPEndPoint { Address: var address } && IsLoopback(address))
        {
            socket.ReceiveBufferSize = Bytes;
        }
    }

    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
