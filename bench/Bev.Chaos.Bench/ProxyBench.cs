using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Bench;

/// <summary>
/// The fault proxy (no toxics) beside direct loopback and HAProxy in TCP mode at its fastest, in one
/// run: iperf3 throughput (1 and 64 connections), sockperf ping-pong latency, new connections per
/// second, and memory per idle connection. Our proxy runs as its own process (`bev-chaos proxy`),
/// configured through its Toxiproxy API, as HAProxy does.
/// </summary>
internal static partial class ProxyBench
{
    private const int Rounds = 5;
    private const int IperfPort = 25201;
    private const int SockperfPort = 25202;
    private const int OursApiPort = 25210;
    private const int OursIperf = 25211;
    private const int OursSockperf = 25212;
    private const int OursConnect = 25213;
    private const int HaproxyIperf = 25221;
    private const int HaproxySockperf = 25222;
    private const int HaproxyConnect = 25223;

    public static async Task RunAsync(string cliPath, int idleConnections)
    {
        foreach (var tool in new[] { "/usr/bin/iperf3", "/usr/bin/sockperf", "/usr/sbin/haproxy" })
        {
            if (!File.Exists(tool))
            {
                Console.WriteLine($"## Fault proxy against HAProxy\n\nskipped: {tool} is not installed (bench/run.sh installs it as root).\n");
                return;
            }
        }

        using var connectServer = new AcceptServer();
        var work = Path.Combine(Path.GetTempPath(), "bev-chaos-bench-proxy");
        Directory.CreateDirectory(work);
        using var iperf = Start("/usr/bin/iperf3", "-s", "-p", IperfPort.ToString(CultureInfo.InvariantCulture), "-B", "127.0.0.1");
        using var sockperf = Start("/usr/bin/sockperf", "sr", "--tcp", "-i", "127.0.0.1", "-p", SockperfPort.ToString(CultureInfo.InvariantCulture));
        var haproxyConfig = Path.Combine(work, "haproxy.cfg");
        await File.WriteAllTextAsync(haproxyConfig, $"""
            global
              maxconn {idleConnections + 40}
              maxpipes 128
              tune.bufsize 262144
              nbthread 2
            defaults
              mode tcp
              timeout connect 5s
              timeout client 120s
              timeout server 120s
              option splice-auto
            listen iperf
              bind 127.0.0.1:{HaproxyIperf}
              server s 127.0.0.1:{IperfPort}
            listen sockperf
              bind 127.0.0.1:{HaproxySockperf}
              server s 127.0.0.1:{SockperfPort}
            listen connect
              bind 127.0.0.1:{HaproxyConnect}
              server s 127.0.0.1:{connectServer.Port}

            """);
        using var haproxy = Start("/usr/sbin/haproxy", "-f", haproxyConfig, "-db");
        using var ours = Start(cliPath, "proxy", "--listen", $"http://127.0.0.1:{OursApiPort}");
        try
        {
            await MeasureAllAsync(connectServer, iperf, sockperf, haproxy, ours, idleConnections);
        }
        finally
        {
            foreach (var process in new[] { ours, haproxy, iperf, sockperf })
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
    }

    private static async Task MeasureAllAsync(AcceptServer connectServer, Process iperf, Process sockperf, Process haproxy, Process ours, int idleConnections)
    {
        await WaitListeningAsync(OursApiPort);
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{OursApiPort}") })
        {
            foreach (var (name, listen, upstream) in new[] { ("iperf", OursIperf, IperfPort), ("sockperf", OursSockperf, SockperfPort), ("connect", OursConnect, connectServer.Port) })
            {
                using var body = new StringContent($$"""{"name":"{{name}}","listen":"127.0.0.1:{{listen}}","upstream":"127.0.0.1:{{upstream}}"}""", Encoding.UTF8, "application/json");
                (await http.PostAsync("/proxies", body)).EnsureSuccessStatusCode();
            }
        }

        foreach (var port in new[] { IperfPort, SockperfPort, HaproxyIperf, HaproxySockperf, OursIperf })
        {
            await WaitListeningAsync(port);
        }

        var targets = new[] { ("direct loopback", IperfPort, SockperfPort, connectServer.Port), ("bev-chaos proxy", OursIperf, OursSockperf, OursConnect), ("HAProxy 2.6 (splice-auto, bufsize 256k)", HaproxyIperf, HaproxySockperf, HaproxyConnect) };
        // Loopback throughput on two shared cores swings by ±15 % from run to run, and drifts: the
        // three paths take turns, round after round, and each cell is the median of its rounds.
        var one = targets.Select(_ => new List<double>()).ToArray();
        var many = targets.Select(_ => new List<double>()).ToArray();
        var oneBack = targets.Select(_ => new List<double>()).ToArray();
        var manyBack = targets.Select(_ => new List<double>()).ToArray();
        var latency = targets.Select(_ => new List<(double P50, double P99)>()).ToArray();
        var cps = targets.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var t = 0; t < targets.Length; t++)
            {
                var (_, iperfPort, sockperfPort, connectPort) = targets[t];
                one[t].Add(await IperfOnceAsync(iperfPort, 1, reverse: false));
                many[t].Add(await IperfOnceAsync(iperfPort, 64, reverse: false));
                oneBack[t].Add(await IperfOnceAsync(iperfPort, 1, reverse: true));
                manyBack[t].Add(await IperfOnceAsync(iperfPort, 64, reverse: true));
                latency[t].Add(await SockperfAsync(sockperfPort));
                cps[t].Add(await ConnectionsPerSecondAsync(connectPort));
            }
        }

        var rows = targets.Select((target, t) => (
            Name: target.Item1,
            One: Median(one[t]),
            Many: Median(many[t]),
            OneBack: Median(oneBack[t]),
            ManyBack: Median(manyBack[t]),
            P50: Median(latency[t].Select(l => l.P50)),
            P99: Median(latency[t].Select(l => l.P99)),
            Cps: Median(cps[t]))).ToList();

        Console.WriteLine("## Fault proxy (no toxics) against direct loopback and HAProxy");
        Console.WriteLine();
        Console.WriteLine($"Same run, same machine, the three paths taking turns for {Rounds} rounds; each cell is the median of its rounds: iperf3 for 4 s (Gbit/s, receiver side; client to server, and server to client with `-R`), sockperf ping-pong over TCP for 3 s (µs, one way as sockperf reports it), and new connections per second (connect, 1-byte echo, close; 4 loops for 2 s). Our proxy runs as `bev-chaos proxy`, its proxies made through the Toxiproxy API; HAProxy in TCP mode with `option splice-auto`, `tune.bufsize 262144`, 2 threads, `maxpipes 128` (with its default of a pipe per four connections, it cannot hold as many connections under this machine's descriptor limit).");
        Console.WriteLine();
        Console.WriteLine("| path | 1 conn Gbit/s | 64 conns Gbit/s | 1 conn back Gbit/s | 64 conns back Gbit/s | latency p50 µs | latency p99 µs | new conns/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Name} | {r.One:F2} | {r.Many:F2} | {r.OneBack:F2} | {r.ManyBack:F2} | {r.P50:F1} | {r.P99:F1} | {r.Cps:F0} |"));
        }

        var direct = rows[0];
        var mine = rows[1];
        var theirs = rows[2];
        Console.WriteLine();
        Console.WriteLine("| ratio: bev-chaos ÷ HAProxy | 1 conn | 64 conns | 1 conn back | 64 conns back | added p50 latency (ours, HAProxy) µs | new conns/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| | {mine.One / theirs.One:F2}× | {mine.Many / theirs.Many:F2}× | {mine.OneBack / theirs.OneBack:F2}× | {mine.ManyBack / theirs.ManyBack:F2}× | {mine.P50 - direct.P50:F1}, {theirs.P50 - direct.P50:F1} | {mine.Cps / theirs.Cps:F2}× |"));
        Console.WriteLine();

        var (oursPerConnection, haproxyPerConnection, held) = await IdleMemoryAsync(ours.Id, haproxy.Id, OursConnect, HaproxyConnect, idleConnections);
        Console.WriteLine($"Idle connections: {held} held open through each proxy at once, each answering a 1-byte echo through it; resident memory added per connection: bev-chaos {oursPerConnection / 1024:F1} KiB, HAProxy {haproxyPerConnection / 1024:F1} KiB. (This machine's open-file hard limit is {OpenFileLimit()} and cannot be raised here (no CAP_SYS_RESOURCE): a proxy needs two descriptors per connection, so no single-process proxy here can hold 10,000; {held} is as close as the limit allows.)");
        Console.WriteLine();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Gbit/s from client to server, or with <paramref name="reverse"/> (iperf3 -R) from server to client.</summary>
    private static async Task<double> IperfOnceAsync(int port, int streams, bool reverse)
    {
        string[] args = ["-c", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", "4", "-P", streams.ToString(CultureInfo.InvariantCulture), "-J"];
        var (_, output) = await RunAsync("/usr/bin/iperf3", reverse ? [.. args, "-R"] : args);
        using var json = JsonDocument.Parse(output);
        if (json.RootElement.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"iperf3 to port {port}: {error.GetString()}");
        }

        return json.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble() / 1e9;
    }

    private static async Task<(double P50, double P99)> SockperfAsync(int port)
    {
        var (_, output) = await RunAsync("/usr/bin/sockperf", "pp", "--tcp", "-i", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", "3");
        double Percentile(string p) => double.Parse(PercentileLine().Matches(output).First(m => m.Groups[1].Value == p).Groups[2].Value, CultureInfo.InvariantCulture);
        return (Percentile("50.000"), Percentile("99.000"));
    }

    private static async Task<double> ConnectionsPerSecondAsync(int port)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        var count = 0L;
        var deadline = Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var buffer = new byte[1];
            while (Stopwatch.GetTimestamp() < deadline)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(endpoint);
                await socket.SendAsync(buffer, SocketFlags.None);
                await socket.ReceiveAsync(buffer, SocketFlags.None);
                Interlocked.Increment(ref count);
            }
        })));
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<(double Ours, double Haproxy, int Held)> IdleMemoryAsync(int oursPid, int haproxyPid, int oursPort, int haproxyPort, int connections)
    {
        async Task<(double PerConnection, int Held)> MeasureAsync(int pid, int port)
        {
            GC.Collect();
            await Task.Delay(500);
            var before = RssOfTree(pid);
            var sockets = new List<Socket>();
            try
            {
                for (var i = 0; i < connections; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                    sockets.Add(socket);
                }
            }
            catch (SocketException)
            {
                // Out of descriptors or the listener's backlog: measure what was opened.
            }

            // Every connection held must reach the server and back through the proxy.
            var live = 0;
            foreach (var batch in sockets.Chunk(200))
            {
                var answered = await Task.WhenAll(batch.Select(async socket =>
                {
                    var one = new byte[1];
                    await socket.SendAsync(one, SocketFlags.None);
                    return await socket.ReceiveAsync(one, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(5)) == 1;
                }));
                live += answered.Count(a => a);
            }

            await Task.Delay(1500);
            var after = RssOfTree(pid);
            var held = live;
            sockets.ForEach(s => s.Dispose());
            await Task.Delay(500);
            return ((after - before) / (double)Math.Max(1, held), held);
        }

        var ours = await MeasureAsync(oursPid, oursPort);
        var theirs = await MeasureAsync(haproxyPid, haproxyPort);
        return (ours.PerConnection, theirs.PerConnection, Math.Min(ours.Held, theirs.Held));
    }

    private static long RssOfTree(int pid) =>
        ProcFs.EnumeratePids().Where(p => p == pid || ProcFs.TryReadStat(p)?.ParentPid == pid).Sum(p => ProcFs.TryReadStat(p)?.RssBytes ?? 0);

    private static string OpenFileLimit() =>
        File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4] ?? "?";

    private static Process Start(string file, params string[] args) =>
        Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false }) is { } p
            ? Drain(p)
            : throw new InvalidOperationException("could not start " + file);

    private static Process Drain(Process process)
    {
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    // Reads the kernel's socket table rather than connecting: a probe connection would count as
    // a client to iperf3's single-test server.
    private static async Task WaitListeningAsync(int port)
    {
        var hex = ":" + port.ToString("X4", CultureInfo.InvariantCulture) + " ";
        for (var i = 0; i < 200; i++)
        {
            if (File.ReadLines("/proc/net/tcp").Skip(1).Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is var f && f[1].EndsWith(hex.Trim(), StringComparison.Ordinal) && f[3] == "0A"))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"nothing listens on 127.0.0.1:{port}");
    }

    [GeneratedRegex(@"---> percentile\s+([0-9.]+)\s+=\s+([0-9.]+)")]
    private static partial Regex PercentileLine();

    /// <summary>Accepts, echoes one byte, and holds or closes connections.</summary>
    private sealed class AcceptServer : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly CancellationTokenSource _stop = new();

        public AcceptServer()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(4096);
            _ = LoopAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        private async Task LoopAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptAsync(_stop.Token);
                    _ = Task.Run(async () =>
                    {
                        using (socket)
                        {
                            var buffer = new byte[16];
                            try
                            {
                                int read;
                                while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                                {
                                    await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                                }
                            }
                            catch (SocketException)
                            {
                            }
                        }
                    });
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Dispose();
        }
    }
}
