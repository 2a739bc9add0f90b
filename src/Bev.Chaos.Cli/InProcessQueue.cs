using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bev.Chaos.Cli;

/// <summary>
/// The demo's stand-in for Redis when <c>redis-server</c> is not installed: the RESP commands the
/// pipeline uses (PING, LPUSH, RPOP, LLEN) over real TCP on loopback, lists kept in memory.
/// </summary>
internal sealed class InProcessQueue : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _lists = new(StringComparer.Ordinal);
    private readonly Task _accepting;

    public InProcessQueue(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The port it listens on (the one asked for, or the one the kernel chose for 0).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                _ = ServeAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = new BufferedStream(client.GetStream());
            try
            {
                while (await ReadCommandAsync(stream).ConfigureAwait(false) is { } command)
                {
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(Execute(command)), _stop.Token).ConfigureAwait(false);
                    await stream.FlushAsync(_stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or FormatException)
            {
            }
        }
    }

    private string Execute(string[] command)
    {
        static string Bulk(string? value) => value is null ? "$-1\r\n" : $"${Encoding.UTF8.GetByteCount(value)}\r\n{value}\r\n";
        switch (command[0].ToUpperInvariant())
        {
            case "PING":
                return "+PONG\r\n";
            case "LPUSH" when command.Length >= 3:
                // LPUSH adds at the head and RPOP takes from the tail: a FIFO, as the queue below.
                var list = _lists.GetOrAdd(command[1], _ => new ConcurrentQueue<string>());
                foreach (var value in command.Skip(2))
                {
                    list.Enqueue(value);
                }

                return $":{list.Count}\r\n";
            case "RPOP" when command.Length == 2:
                return Bulk(_lists.TryGetValue(command[1], out var queue) && queue.TryDequeue(out var item) ? item : null);
            case "LLEN" when command.Length == 2:
                return $":{(_lists.TryGetValue(command[1], out var counted) ? counted.Count : 0)}\r\n";
            default:
                return $"-ERR unsupported command '{command[0]}' (the in-process queue knows PING, LPUSH, RPOP, LLEN)\r\n";
        }
    }

    private async Task<string[]?> ReadCommandAsync(Stream stream)
    {
        var header = await ReadLineAsync(stream).ConfigureAwait(false);
        if (header is null)
        {
            return null;
        }

        if (header.Length == 0 || header[0] != '*')
        {
            return header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        var parts = new string[int.Parse(header.AsSpan(1), CultureInfo.InvariantCulture)];
        for (var i = 0; i < parts.Length; i++)
        {
            var length = int.Parse((await ReadLineAsync(stream).ConfigureAwait(false) ?? throw new IOException("cut"))[1..], CultureInfo.InvariantCulture);
            var data = new byte[length + 2];
            await stream.ReadExactlyAsync(data, _stop.Token).ConfigureAwait(false);
            parts[i] = Encoding.UTF8.GetString(data, 0, length);
        }

        return parts;
    }

    private async Task<string?> ReadLineAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, _stop.Token).ConfigureAwait(false) == 0)
            {
                return null;
            }

            if (one[0] == '\n' && bytes.Count > 0 && bytes[^1] == '\r')
            {
                return Encoding.UTF8.GetString(bytes.ToArray(), 0, bytes.Count - 1);
            }

            bytes.Add(one[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
