using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.TestSupport;

/// <summary>Loopback ports for servers a test starts itself.</summary>
internal static class LoopbackPort
{
    /// <summary>A port that was free a moment ago; for a server the test is about to start on it.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
