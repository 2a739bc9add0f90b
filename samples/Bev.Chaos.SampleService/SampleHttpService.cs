using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bev.Chaos.SampleService;

/// <summary>A minimal HTTP/1.1 server on loopback with a bounded number of workers.</summary>
internal static class SampleHttpService
{
    private static long _served;
    private static PipelineStage? _stage;

    public static async Task<int> RunAsync(string[] args)
    {
        var port = 0;
        var workers = 32;
        string? role = null, queue = null, input = null, output = null, database = null;
        Uri? triage = null;
        var rate = 20.0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--workers": workers = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--role": role = args[i + 1]; break;
                case "--queue": queue = args[i + 1]; break;
                case "--in": input = args[i + 1]; break;
                case "--out": output = args[i + 1]; break;
                case "--rate": rate = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--db": database = args[i + 1]; break;
                case "--triage": triage = new Uri(args[i + 1]); break;
                default:
                    await Console.Error.WriteLineAsync($"unknown option {args[i]}; usage: --port N [--workers N] [--role collector|analyzer|processor --queue HOST:PORT [--in LIST] [--out LIST] [--rate N] [--db FILE] [--triage URL]]").ConfigureAwait(false);
                    return 2;
            }
        }

        if (role is not null)
        {
            if (role is not ("collector" or "analyzer" or "processor") || queue is null || (role != "collector" && input is null) || (role != "processor" && output is null) || (role == "processor" && database is null) || (role != "collector" && triage is not null))
            {
                await Console.Error.WriteLineAsync("--role collector needs --queue and --out (and takes --triage, the analyzer's http://…/triage URL); analyzer --queue, --in and --out; processor --queue, --in and --db").ConfigureAwait(false);
                return 2;
            }

        }

        // SO_REUSEADDR alone, so that a restart may rebind past connections in TIME_WAIT. Not .NET's
        // ReuseAddress option: on Linux it also sets SO_REUSEPORT, and a second service started on the
        // same port would then share it silently instead of failing. Bound before any work starts, so
        // a taken port is an exit, not a stage working behind another service's port.
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
        try
        {
            listener.Start(512);
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"cannot listen on 127.0.0.1:{port}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        Console.WriteLine($"listening on 127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        if (role is not null)
        {
            _stage = new PipelineStage(role, queue!, input, output, rate, database, triage);
            _ = Task.Run(_stage.RunAsync);
        }

        using var slots = new SemaphoreSlim(workers);
        while (true)
        {
            await slots.WaitAsync().ConfigureAwait(false);
            var client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
            _ = ServeAsync(client, slots);
        }
    }

    private static async Task ServeAsync(TcpClient client, SemaphoreSlim slots)
    {
        try
        {
            using (client)
            {
                client.NoDelay = true;
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var filled = 0;
                while (true)
                {
                    var end = IndexOfHeaderEnd(buffer, filled);
                    while (end < 0)
                    {
                        if (filled == buffer.Length)
                        {
                            return;
                        }

                        var read = await stream.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false);
                        if (read == 0)
                        {
                            return;
                        }

                        filled += read;
                        end = IndexOfHeaderEnd(buffer, filled);
                    }

                    var requestLine = Encoding.ASCII.GetString(buffer, 0, Array.IndexOf(buffer, (byte)'\r'));
                    var path = requestLine.Split(' ') is { Length: >= 2 } parts ? parts[1] : "/";
                    var served = Interlocked.Increment(ref _served);
                    var health = path == "/health" && _stage is not null ? await _stage.CheckHealthAsync().ConfigureAwait(false) : (true, "ok");
                    var (status, body) = path switch
                    {
                        "/health" => health.Item1 ? ("200 OK", health.Item2) : ("503 Service Unavailable", health.Item2),
                        "/" => ("200 OK", $"{{\"item\":{served},\"pid\":{Environment.ProcessId}}}"),
                        _ when _stage?.Role == "analyzer" && path.StartsWith("/triage?source=", StringComparison.Ordinal) => ("200 OK", PipelineStage.Triage(Uri.UnescapeDataString(path["/triage?source=".Length..]))),
                        "/metrics" => ("200 OK", $"# HELP sample_requests_total Requests served since start.\n# TYPE sample_requests_total counter\nsample_requests_total{{service=\"sample\"}} {served}\n" + (_stage?.Metrics() ?? string.Empty)),
                        _ => ("404 Not Found", "not found"),
                    };
                    var response = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\nContent-Type: text/plain\r\n\r\n{body}");
                    await stream.WriteAsync(response).ConfigureAwait(false);
                    var consumed = end + 4;
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                    filled -= consumed;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
        finally
        {
            slots.Release();
        }
    }

    private static int IndexOfHeaderEnd(byte[] buffer, int length) =>
        buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
}
