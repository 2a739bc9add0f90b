using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.Proxy.Api;

/// <summary>
/// Listen sockets with SO_REUSEADDR, so a restarted API can bind its fixed port (8474, 8080) while
/// connections of the previous run are still in TIME_WAIT. Only SO_REUSEADDR: .NET's ReuseAddress
/// option also sets SO_REUSEPORT on Linux, which would let a second listener share the port.
/// </summary>
public static class ReusableListenSocket
{
    /// <summary>Sets SO_REUSEADDR alone.</summary>
    public static void AllowTimeWaitRebind(Socket socket) =>
        socket.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, BitConverter.GetBytes(1));

    public static Socket Create(EndPoint endpoint)
    {
        var socket = endpoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Unspecified);
        if (endpoint is IPEndPoint)
        {
            AllowTimeWaitRebind(socket);
            socket.NoDelay = true;
        }

        socket.Bind(endpoint);
        return socket;
    }
}
