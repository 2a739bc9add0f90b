using System.Net;
using System.Net.Sockets;

namespace Bev.Chaos.TestSupport;

/// <summary>Loopback ports for servers a test starts itself.</summary>
internal static class LoopbackPort
{
    // Ports handed out by this process: the kernel may give a just-released port again, and two
    // servers a test starts on "free" ports asked for one after the other must not get the same.
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>A port that was free a moment ago, and not handed out before by this process; for a server the test is about to start on it.</summary>
    public static int Free()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port) || attempt >= 100)
                {
                    return port;
                }
            }
        }
    }
}
