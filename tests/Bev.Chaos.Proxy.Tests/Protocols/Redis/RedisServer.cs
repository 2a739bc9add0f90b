using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Proxy.Tests.Protocols.Redis;

/// <summary>A real <c>redis-server</c> on a free loopback port, in its own temporary directory, without persistence.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port)
    {
        (_process, _directory, Port) = (process, directory, port);
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        Requires.Program("redis-server");
        var directory = Directory.CreateTempSubdirectory("bev-chaos-redis-").FullName;
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var info = new ProcessStartInfo("redis-server")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory, "--daemonize", "no" })
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
            while (!process.HasExited && Stopwatch.GetTimestamp() < deadline)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return new RedisServer(process, directory, port);
                }
                catch (SocketException)
                {
                    await Task.Delay(20);
                }
            }

            process.Kill();
            process.Dispose();
            if (attempt >= 3)
            {
                Assert.Fail($"redis-server did not start on 127.0.0.1:{port} within 10 s");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
