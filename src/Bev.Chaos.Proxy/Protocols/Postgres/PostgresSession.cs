using System.Net.Sockets;
using System.Text;
using Bev.Chaos.Proxy.Toxics.Postgres;

namespace Bev.Chaos.Proxy.Protocols.Postgres;

/// <summary>
/// A PostgreSQL connection through a <c>postgres</c> proxy. The proxy declines SSLRequest and
/// GSSENCRequest itself ('N': it must read the queries), passes the startup message and
/// authentication through, then cuts the client's bytes into messages. A simple Query, or a Bind
/// of a statement whose Parse text matches, may be delayed or made to fail: the server is sent a
/// stand-in it rejects (a Query or a Bind naming a statement that does not exist), so that what
/// follows on the server is what follows a real error — the transaction aborted, the rest of an
/// extended batch skipped until Sync, then ReadyForQuery with the true transaction status — and
/// the server's error is swapped for the toxic's ErrorResponse on the way back.
/// </summary>
internal sealed class PostgresSession(Socket client, Socket server, TimeProvider time, Action close) : ProtocolSession(client, server)
{
    private const int MaxTrackedStatements = 10_000;

    private readonly HeldBytes _held = new();
    private readonly Dictionary<string, string> _statements = new(StringComparer.Ordinal);
    private readonly Queue<PostgresInjection> _injections = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _clientWrite = new(1, 1);

    // Server side: the message being read.
    private readonly byte[] _header = new byte[5];
    private readonly MemoryStream _captured = new();
    private int _headerHave;
    private long _bodyLeft;
    private bool _capturing;
    private long _readyReceived;
    private bool _serverPassThrough;

    // Client side.
    private bool _startup = true;
    private bool _clientPassThrough;
    private long _batchesSent;
    private long _injected;

    public override async ValueTask FromClientAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_clientPassThrough)
        {
            await SendToServerAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }

        var arrival = time.GetTimestamp();
        var input = _held.With(data);
        var pos = 0;
        var batch = 0;
        while (true)
        {
            var rest = input.Span[pos..];
            if (_startup)
            {
                if (rest.Length < 8)
                {
                    break;
                }

                var length = PostgresMessages.Int32(rest);
                var code = PostgresMessages.Int32(rest[4..]);
                if (length is < 8 or > PostgresMessages.MaxStartupLength || (code is not (PostgresMessages.SslRequestCode or PostgresMessages.GssEncRequestCode) && code >> 16 != 3))
                {
                    // A CancelRequest (its own short connection), or not protocol 3: passed on as it is.
                    await PassThroughFromAsync(input, batch, cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (rest.Length < length)
                {
                    break;
                }

                if (code is PostgresMessages.SslRequestCode or PostgresMessages.GssEncRequestCode)
                {
                    // Declined here, not by the server: an encrypted session could not be read.
                    await SendToServerAsync(input[batch..pos], cancellationToken).ConfigureAwait(false);
                    pos += length;
                    batch = pos;
                    await WriteClientAsync(PostgresMessages.NoEncryption, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                pos += length;
                _startup = false;
                _batchesSent++;
                continue;
            }

            if (rest.Length < 5)
            {
                break;
            }

            var type = rest[0];
            var size = PostgresMessages.Int32(rest[1..]);
            if (size < 4)
            {
                await PassThroughFromAsync(input, batch, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (rest.Length - 1 < size)
            {
                break;
            }

            var body = rest.Slice(5, size - 4);
            var start = pos;
            pos += 1 + size;
            string? query = null;
            switch (type)
            {
                case (byte)'Q':
                    query = PostgresMessages.CString(body, out _);
                    break;
                case (byte)'P':
                    var name = PostgresMessages.CString(body, out var used);
                    var text = PostgresMessages.CString(body[used..], out _);
                    if (_statements.Count < MaxTrackedStatements || _statements.ContainsKey(name))
                    {
                        _statements[name] = text;
                    }

                    break;
                case (byte)'B':
                    PostgresMessages.CString(body, out var portalUsed);
                    var statement = PostgresMessages.CString(body[portalUsed..], out _);
                    _statements.TryGetValue(statement, out query);
                    break;
                case (byte)'C' when body.Length > 1 && body[0] == 'S':
                    _statements.Remove(PostgresMessages.CString(body[1..], out _));
                    break;
            }

            if (query is not null)
            {
                var (delay, error) = Decide(query);
                if (delay > TimeSpan.Zero)
                {
                    await SendToServerAsync(input[batch..start], cancellationToken).ConfigureAwait(false);
                    batch = start;
                    await WaitUntilAsync(time, arrival, delay, cancellationToken).ConfigureAwait(false);
                }

                if (error is not null)
                {
                    await SendToServerAsync(input[batch..start], cancellationToken).ConfigureAwait(false);
                    batch = pos;
                    var marker = "bev_chaos_injected_" + (++_injected).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    lock (_gate)
                    {
                        _injections.Enqueue(new PostgresInjection(_batchesSent, Encoding.ASCII.GetBytes(marker), PostgresMessages.ErrorResponse(error.Fatal ? "FATAL" : "ERROR", error.SqlState, error.Message), error.Fatal));
                    }

                    await SendToServerAsync(type == 'Q' ? PostgresMessages.Query(marker) : PostgresMessages.Bind(marker), cancellationToken).ConfigureAwait(false);
                }
            }

            if (type is (byte)'Q' or (byte)'S' or (byte)'F')
            {
                // Each of these is answered with one ReadyForQuery: the batches the server's replies are counted in.
                _batchesSent++;
            }
        }

        await SendToServerAsync(input[batch..pos], cancellationToken).ConfigureAwait(false);
        _held.KeepFrom(input, pos);
    }

    public override async ValueTask FromServerAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _clientWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
        var closeAfter = false;
        try
        {
            var run = 0;
            var pos = 0;
            while (pos < data.Length && !_serverPassThrough)
            {
                if (_headerHave == 0)
                {
                    _capturing = data.Span[pos] == 'E' && InjectionFor(_readyReceived) is not null;
                    if (_capturing)
                    {
                        await SendToClientAsync(data[run..pos], cancellationToken).ConfigureAwait(false);
                        _captured.SetLength(0);
                    }
                }

                if (_headerHave < 5)
                {
                    var take = Math.Min(5 - _headerHave, data.Length - pos);
                    data.Span.Slice(pos, take).CopyTo(_header.AsSpan(_headerHave));
                    _headerHave += take;
                    pos += take;
                    if (_capturing)
                    {
                        run = pos;
                    }

                    if (_headerHave < 5)
                    {
                        break;
                    }

                    var size = PostgresMessages.Int32(_header.AsSpan(1));
                    if (size < 4)
                    {
                        _serverPassThrough = true;
                        break;
                    }

                    _bodyLeft = size - 4;
                    if (_capturing)
                    {
                        _captured.Write(_header);
                    }
                }

                var part = (int)Math.Min(_bodyLeft, data.Length - pos);
                if (_capturing)
                {
                    _captured.Write(data.Span.Slice(pos, part));
                    run = pos + part;
                }

                pos += part;
                _bodyLeft -= part;
                if (_bodyLeft > 0)
                {
                    break;
                }

                // A whole message.
                _headerHave = 0;
                if (_capturing)
                {
                    _capturing = false;
                    var captured = _captured.ToArray();
                    var injection = InjectionFor(_readyReceived);
                    if (injection is not null && captured.AsSpan().IndexOf(injection.Marker) >= 0)
                    {
                        lock (_gate)
                        {
                            _injections.Dequeue();
                        }

                        await SendToClientAsync(injection.Reply, cancellationToken).ConfigureAwait(false);
                        if (injection.Fatal)
                        {
                            closeAfter = true;
                            return;
                        }
                    }
                    else
                    {
                        // A real error came first: the server skipped the stand-in, and the client sees the real one.
                        await SendToClientAsync(captured, cancellationToken).ConfigureAwait(false);
                    }
                }
                else if (_header[0] == 'Z')
                {
                    _readyReceived++;
                }
            }

            await SendToClientAsync(data[run..], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _clientWrite.Release();
            if (closeAfter)
            {
                close();
            }
        }
    }

    /// <summary>Which toxics act on the query: the longest delay drawn, the first error drawn.</summary>
    private (TimeSpan Delay, PostgresErrorToxic? Error) Decide(string query)
    {
        var delay = TimeSpan.Zero;
        PostgresErrorToxic? error = null;
        foreach (var toxic in Toxics)
        {
            if (toxic is not PostgresToxic postgres || !postgres.Matches(query) || !postgres.Draw())
            {
                continue;
            }

            switch (postgres)
            {
                case PostgresDelayToxic d when d.Delay > delay:
                    delay = d.Delay;
                    break;
                case PostgresErrorToxic e:
                    error ??= e;
                    break;
            }
        }

        return (delay, error);
    }

    /// <summary>The injection owed in the reply to batch <paramref name="batch"/>; older ones (whose stand-in the server skipped after a real error) are dropped.</summary>
    private PostgresInjection? InjectionFor(long batch)
    {
        lock (_gate)
        {
            while (_injections.TryPeek(out var head))
            {
                if (head.Batch >= batch)
                {
                    return head.Batch == batch ? head : null;
                }

                _injections.Dequeue();
            }

            return null;
        }
    }

    private async ValueTask WriteClientAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _clientWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendToClientAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _clientWrite.Release();
        }
    }

    private async ValueTask PassThroughFromAsync(ReadOnlyMemory<byte> input, int from, CancellationToken cancellationToken)
    {
        _clientPassThrough = true;
        await SendToServerAsync(input[from..], cancellationToken).ConfigureAwait(false);
        _held.Clear();
    }
}
