using System.Net.Sockets;
using System.Text;

namespace Bev.Chaos.Proxy.Tests.Protocols.Http;

/// <summary>One HTTP/1.1 keep-alive connection on a raw socket: the test decides what bytes go out and when, and reads the responses one by one.</summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _buffer = [];

    private RawHttpConnection(Socket socket) => _socket = socket;

    public static async Task<RawHttpConnection> ConnectAsync(string address)
    {
        var (host, port) = (address[..address.LastIndexOf(':')], int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port, TestContext.Current.CancellationToken);
        return new RawHttpConnection(socket);
    }

    public static byte[] Get(string path, string method = "GET", params string[] headers) =>
        Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: test\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n");

    public async Task SendAsync(byte[] data) => await _socket.SendAsync(data, SocketFlags.None, TestContext.Current.CancellationToken);

    /// <summary>Reads raw bytes as they come (for a connection no longer speaking HTTP).</summary>
    public async Task<string> ReadAtLeastAsync(int count)
    {
        while (_buffer.Count < count)
        {
            await FillAsync();
        }

        var text = Encoding.ASCII.GetString(_buffer.ToArray(), 0, count);
        _buffer.RemoveRange(0, count);
        return text;
    }

    /// <summary>Reads one whole response; <paramref name="toHead"/> when it answers HEAD (no body).</summary>
    public async Task<RawHttpResponse> ReadResponseAsync(bool toHead = false)
    {
        int end;
        while ((end = IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync();
        }

        var head = Encoding.ASCII.GetString(_buffer.ToArray(), 0, end).Split("\r\n");
        _buffer.RemoveRange(0, end + 4);
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = head.Skip(1).Select(l => (Name: l[..l.IndexOf(':')], Value: l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        var length = headers.Where(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => (int?)int.Parse(h.Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var chunked = headers.Any(h => h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        var body = new List<byte>();
        if (toHead || status is (>= 100 and < 200) or 204 or 304)
        {
        }
        else if (chunked)
        {
            while (true)
            {
                int lineEnd;
                while ((lineEnd = IndexOf("\r\n"u8)) < 0)
                {
                    await FillAsync();
                }

                var size = Convert.ToInt32(Encoding.ASCII.GetString(_buffer.ToArray(), 0, lineEnd).Split(';')[0], 16);
                _buffer.RemoveRange(0, lineEnd + 2);
                while (_buffer.Count < size + 2)
                {
                    await FillAsync();
                }

                body.AddRange(_buffer.GetRange(0, size));
                _buffer.RemoveRange(0, size + 2);
                if (size == 0)
                {
                    break;
                }
            }
        }
        else if (length is { } n)
        {
            while (_buffer.Count < n)
            {
                await FillAsync();
            }

            body.AddRange(_buffer.GetRange(0, n));
            _buffer.RemoveRange(0, n);
        }

        return new RawHttpResponse(status, headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    /// <summary>Whether the peer closed the connection (read returned 0) within the timeout.</summary>
    public async Task<bool> ClosedAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        var scratch = new byte[4096];
        try
        {
            while (true)
            {
                if (await _socket.ReceiveAsync(scratch, SocketFlags.None, cts.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task FillAsync()
    {
        var chunk = new byte[16 * 1024];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        var read = await _socket.ReceiveAsync(chunk, SocketFlags.None, cts.Token);
        if (read == 0)
        {
            throw new IOException("the proxy closed the connection");
        }

        _buffer.AddRange(chunk.AsSpan(0, read));
    }

    private int IndexOf(ReadOnlySpan<byte> pattern) => _buffer.ToArray().AsSpan().IndexOf(pattern);
}

/// <summary>A response as a raw client read it.</summary>
internal sealed record RawHttpResponse(int Status, List<(string Name, string Value)> Headers, string Body)
{
    public string? Header(string name) => Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}
