using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Proxy.Tests.Protocols.Http;

/// <summary>
/// Debian's nginx on a loopback port, from a configuration of its own in a temporary folder: a
/// plain text answer at <c>/</c>, a JSON one at <c>/api/items</c>, a chunked one at
/// <c>/chunked.html</c> (SSI output has no length), and an access log to count what reached it.
/// </summary>
internal sealed class NginxServer : IAsyncDisposable
{
    private const string Binary = "/usr/sbin/nginx";

    private readonly Process _process;
    private readonly string _work;

    private NginxServer(Process process, string work, int port)
    {
        _process = process;
        _work = work;
        Address = $"127.0.0.1:{port}";
    }

    /// <summary>host:port where it listens.</summary>
    public string Address { get; }

    /// <summary>The requests nginx has logged, one line each: <c>METHOD URI STATUS</c>.</summary>
    public string[] Requests => File.Exists(Path.Combine(_work, "access.log")) ? File.ReadAllLines(Path.Combine(_work, "access.log")) : [];

    public static async Task<NginxServer> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            Requires.Capability("nginx (Debian's nginx-light) at " + Binary);
        }

        var work = Directory.CreateTempSubdirectory("bev-chaos-nginx-").FullName;

        // nginx's worker runs as an unprivileged user when started as root: it must read the files.
        File.SetUnixFileMode(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var port = LoopbackPort.Free();
        await File.WriteAllTextAsync(Path.Combine(work, "chunked.html"), "<p>chunked from nginx</p>\n");
        var config = Path.Combine(work, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            daemon off;
            worker_processes 1;
            pid {{work}}/nginx.pid;
            error_log {{work}}/error.log;
            events { worker_connections 256; }
            http {
              log_format line '$request_method $request_uri $status';
              access_log {{work}}/access.log line;
              client_body_temp_path {{work}}/body;
              keepalive_requests 100000;
              server {
                listen 127.0.0.1:{{port}};
                root {{work}};
                location = / { default_type text/plain; return 200 "ok"; }
                location = /api/items { default_type application/json; add_header ETag "\"v1\""; return 200 '{"status":"ok","count":3}'; }
                location = /chunked.html { ssi on; }
                location / { default_type text/plain; return 200 "path $uri"; }
              }
            }
            """);
        var process = Process.Start(new ProcessStartInfo(Binary, ["-c", config, "-p", work]) { RedirectStandardError = true })!;
        var nginx = new NginxServer(process, work, port);
        await Poll.UntilAsync(() => CanConnect(port), TimeSpan.FromSeconds(15), "nginx to listen");
        return nginx;
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
