using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.TestSupport;

/// <summary>
/// A loopback port that refuses every connection for as long as it is held: the socket is bound
/// but never listens. A port that was merely free a moment ago can be taken by a parallel test,
/// or be picked as the connecting socket's own source port (a TCP self-connect that answers).
/// </summary>
internal sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public void Dispose() => _socket.Dispose();
}
