using System.Net.Sockets;

namespace Bev.Chaos.Load;

/// <summary>
/// One keep-alive TCP connection of the load generator's raw mode: send the payload, read until the
/// answer's first newline (single-line protocols: Redis <c>PING</c>, <c>INCR</c>, memcached
/// <c>version</c>, an echo service). A failure drops the connection; the next request reconnects.
/// </summary>
internal sealed class TcpLineExchange(string host, int port, ReadOnlyMemory<byte> payload) : IDisposable
{
    private readonly byte[] _buffer = new byte[4096];
    private TcpClient? _client;
    private NetworkStream? _stream;

    /// <exception cref="IOException">The connection closed or broke.</exception>
    /// <exception cref="SocketException">No connection.</exception>
    /// <exception cref="OperationCanceledException">Timed out or cancelled.</exception>
    public async Task ExchangeAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_stream is null)
            {
                _client = new TcpClient { NoDelay = true };
                await _client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
                _stream = _client.GetStream();
            }

            await _stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var read = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"{host}:{port} closed the connection");
                }

                if (_buffer.AsSpan(0, read).Contains((byte)'\n'))
                {
                    return;
                }
            }
        }
        catch
        {
            // Whatever is left unread would be taken for the next answer.
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _client?.Dispose();
        _stream = null;
        _client = null;
    }
}
