using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bev.Chaos.Proxy.Tests.Protocols.Redis;

/// <summary>
/// A deliberately plain RESP2/RESP3 client for the tests, written apart from the proxy's parser so
/// that it checks it: sends raw bytes, reads replies one at a time into readable strings
/// (<c>+OK</c>, <c>-ERR …</c>, <c>:1</c>, <c>$value</c>, <c>$nil</c>, <c>*[a,b]</c>, <c>%{k=v}</c>, <c>&gt;[…]</c>).
/// </summary>
internal sealed class RespClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespClient(Socket socket) => _socket = socket;

    public static async Task<RespClient> ConnectAsync(string address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPEndPoint.Parse(address), TestContext.Current.CancellationToken);
        return new RespClient(socket);
    }

    /// <summary>One multibulk command's bytes.</summary>
    public static byte[] Command(params string[] args)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"*{args.Length}\r\n");
        foreach (var arg in args)
        {
            text.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None, TestContext.Current.CancellationToken);

    /// <summary>Sends one command and reads its reply.</summary>
    public async Task<string> CallAsync(params string[] args)
    {
        await SendAsync(Command(args));
        return await ReadAsync();
    }

    /// <summary>Reads one whole reply (a RESP3 attribute is read with the reply it precedes).</summary>
    public async Task<string> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(20));
        return await ReadValueAsync(cts.Token);
    }

    /// <summary>Whether the proxy closed the connection (a read returns 0) within the timeout.</summary>
    public async Task<bool> ClosedAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await _socket.ReceiveAsync(new byte[1], SocketFlags.None, cts.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task<string> ReadValueAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken);
        var kind = line[0];
        var body = line[1..];
        switch (kind)
        {
            case '+' or '-' or ':' or '_' or '#' or ',' or '(':
                return line;
            case '$' or '!' or '=':
                var length = int.Parse(body, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return "$nil";
                }

                var data = await ReadExactlyAsync(length + 2, cancellationToken);
                return kind + Encoding.UTF8.GetString(data, 0, length);
            case '*' or '~' or '>' or '%' or '|':
                var count = int.Parse(body, CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return "*nil";
                }

                var items = new List<string>();
                for (var i = 0; i < (kind is '%' or '|' ? count * 2 : count); i++)
                {
                    items.Add(await ReadValueAsync(cancellationToken));
                }

                if (kind == '|')
                {
                    return "|" + string.Join(",", items) + "|" + await ReadValueAsync(cancellationToken);
                }

                return kind == '%'
                    ? "%{" + string.Join(",", items.Chunk(2).Select(p => p[0] + "=" + p[1])) + "}"
                    : kind + "[" + string.Join(",", items) + "]";
            default:
                throw new InvalidDataException($"not RESP: '{line}'");
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start - 1);
                _start = newline + 1;
                return line;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var have = 0;
        while (have < count)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken);
            }

            var take = Math.Min(count - have, _end - _start);
            Array.Copy(_buffer, _start, result, have, take);
            (have, _start) = (have + take, _start + take);
        }

        return result;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            (_end, _start) = (_end - _start, 0);
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0)
        {
            throw new EndOfStreamException("the proxy closed the connection");
        }

        _end += read;
    }
}
