using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Bev.Chaos.SampleService;

/// <summary>
/// A small Redis (RESP2) client for the demo pipeline: one connection, one command at a time,
/// reconnecting after any failure. Enough for PING, LPUSH, RPOP and LLEN.
/// </summary>
internal sealed class RespClient(string host, int port) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TcpClient? _client;
    private Stream? _stream;

    public string Address => $"{host}:{port}";

    /// <summary>Sends a command; returns the reply (string, long, null) or throws on an error reply, a timeout or a broken connection.</summary>
    public async Task<object?> SendAsync(TimeSpan timeout, params string[] command)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _gate.WaitAsync(cts.Token).ConfigureAwait(false);
        try
        {
            if (_stream is null)
            {
                _client = new TcpClient { NoDelay = true };
                await _client.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
                _stream = new BufferedStream(_client.GetStream());
            }

            var request = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
            foreach (var part in command)
            {
                request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
            }

            await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cts.Token).ConfigureAwait(false);
            await _stream.FlushAsync(cts.Token).ConfigureAwait(false);
            return await ReadReplyAsync(_stream, cts.Token).ConfigureAwait(false);
        }
        catch
        {
            Drop();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<object?> ReadReplyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(stream, cancellationToken).ConfigureAwait(false);
        switch (line[0])
        {
            case '+':
                return line[1..];
            case '-':
                throw new IOException("queue error: " + line[1..]);
            case ':':
                return long.Parse(line.AsSpan(1), CultureInfo.InvariantCulture);
            case '$':
                var length = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                var data = new byte[length + 2];
                await stream.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
                return Encoding.UTF8.GetString(data, 0, length);
            default:
                throw new IOException($"unexpected reply '{line}'");
        }
    }

    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("the queue closed the connection");
            }

            if (one[0] == '\n' && bytes.Count > 0 && bytes[^1] == '\r')
            {
                return Encoding.UTF8.GetString(bytes.ToArray(), 0, bytes.Count - 1);
            }

            bytes.Add(one[0]);
        }
    }

    private void Drop()
    {
        _stream?.Dispose();
        _client?.Dispose();
        _stream = null;
        _client = null;
    }

    public void Dispose()
    {
        Drop();
        _gate.Dispose();
    }
}
