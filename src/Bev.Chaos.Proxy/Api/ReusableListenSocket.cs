using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.Proxy.Api;

/// <summary>
/// Listen sockets with SO_REUSEADDR, so a restarted API can bind its fixed port (8474, 8080) while
/// connections of the previous run are still in TIME_WAIT.
/// </summary>
public static class ReusableListenSocket
{
    public static Socket Create(EndPoint endpoint)
    {
        var socket = endpoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Unspecified);
        if (endpoint is IPEndPoint)
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.NoDelay = true;
        }

        socket.Bind(endpoint);
        return socket;
    }
}
