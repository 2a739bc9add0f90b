using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests;

/// <summary>
/// Two network namespaces joined by a veth pair — hosts of the test's own, created here and
/// deleted afterwards. Addresses come from 198.18.0.0/15, the range set aside for benchmarking
/// network devices, and exist only inside these namespaces.
/// </summary>
internal sealed partial class TestNetwork : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private TestNetwork(string a, string b, IPAddress addressA, IPAddress addressB)
    {
        A = a;
        B = b;
        AddressA = addressA;
        AddressB = addressB;
    }

    public string A { get; }

    public string B { get; }

    public IPAddress AddressA { get; }

    public IPAddress AddressB { get; }

    public const string DeviceA = "veth-a";

    public static TestNetwork Create()
    {
        Requires.Root();
        Requires.Program("ip");
        var id = Guid.NewGuid().ToString("N")[..6];
        var a = $"bevt-{id}-a";
        var b = $"bevt-{id}-b";
        var network = new TestNetwork(a, b, IPAddress.Parse("198.18.77.1"), IPAddress.Parse("198.18.77.2"));
        try
        {
            Ip("netns", "add", a);
            Ip("netns", "add", b);
            Ip("link", "add", DeviceA, "netns", a, "type", "veth", "peer", "name", "veth-b", "netns", b);
            Ip("-n", a, "addr", "add", "198.18.77.1/30", "dev", DeviceA);
            Ip("-n", b, "addr", "add", "198.18.77.2/30", "dev", "veth-b");
            foreach (var (ns, dev) in new[] { (a, DeviceA), (b, "veth-b") })
            {
                Ip("-n", ns, "link", "set", "lo", "up");
                Ip("-n", ns, "link", "set", dev, "up");
            }
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return network;
    }

    /// <summary>Creates a socket that lives in namespace <paramref name="netns"/>.</summary>
    public static Socket SocketIn(string netns, SocketType type, ProtocolType protocol)
    {
        Socket? socket = null;
        string? error = null;
        var thread = new Thread(() =>
        {
            using var handle = File.OpenHandle($"/var/run/netns/{netns}", FileMode.Open, FileAccess.Read);
            if (setns(handle.DangerousGetHandle(), CloneNewNet) != 0)
            {
                error = $"setns({netns}) failed: errno {Marshal.GetLastPInvokeError()}";
                return;
            }

            socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException(error);
    }

    public void Dispose()
    {
        foreach (var ns in new[] { A, B })
        {
            TryIp("netns", "del", ns);
        }
    }

    public static string Ip(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("ip", args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"ip {string.Join(' ', args)}: {output}");
    }

    private static void TryIp(params string[] args)
    {
        try
        {
            Ip(args);
        }
        catch (InvalidOperationException)
        {
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(nint fd, int nstype);
}
