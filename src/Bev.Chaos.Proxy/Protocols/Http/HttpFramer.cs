namespace Bev.Chaos.Proxy.Protocols.Http;

/// <summary>What <see cref="HttpFramer.Next"/> found.</summary>
internal enum HttpStep
{
    /// <summary>A head has begun but not ended: keep the bytes and call again with more.</summary>
    NeedMore,

    /// <summary>A whole head: the consumed bytes, from <see cref="HttpFramer.HeadOffset"/> on. Call <see cref="HttpFramer.StartBody"/> next.</summary>
    Head,

    /// <summary>Body bytes (framing included); the message goes on.</summary>
    Body,

    /// <summary>The last bytes of the message's body (maybe none): the next byte starts a new message.</summary>
    End,

    /// <summary>Not HTTP/1.x as the proxy can frame it.</summary>
    Invalid,
}

/// <summary>
/// Cuts one direction of an HTTP/1.x connection into messages without holding their bodies: a head
/// is found whole (the caller holds its bytes until it is), a body is walked through — counted for
/// Content-Length, followed chunk by chunk for chunked coding — so the caller knows where every
/// message ends while bytes stream on.
/// </summary>
internal sealed class HttpFramer
{
    /// <summary>The largest head the proxy reads (nginx's default large_client_header_buffers allows 32 KiB).</summary>
    public const int MaxHead = 64 * 1024;

    /// <summary>The largest body an <c>http_replace</c> holds to change it; past it the response passes unchanged.</summary>
    public const int MaxReplacedBody = 16 * 1024 * 1024;

    private State _state = State.Head;
    private long _remaining;
    private int _sizeDigits;

    private enum State
    {
        Head,
        AwaitingFraming,
        Length,
        UntilClose,
        ChunkSize,
        ChunkExtension,
        ChunkSizeLf,
        ChunkData,
        ChunkDataCr,
        ChunkDataLf,
        TrailerLineStart,
        TrailerLine,
        TrailerLineLf,
        TrailerEndLf,
    }

    /// <summary>Where the head begins within the bytes a <see cref="HttpStep.Head"/> consumed (empty lines before a message are allowed and skipped).</summary>
    public int HeadOffset { get; private set; }

    /// <summary>Whether the framer is between messages (no head or body begun).</summary>
    public bool AtMessageStart => _state == State.Head;

    /// <summary>Reads from <paramref name="input"/> as far as one step goes.</summary>
    public HttpStep Next(ReadOnlySpan<byte> input, out int consumed)
    {
        consumed = 0;
        switch (_state)
        {
            case State.Head:
                return NextHead(input, out consumed);
            case State.AwaitingFraming:
                throw new InvalidOperationException("StartBody must follow a head");
            case State.Length:
                consumed = (int)Math.Min(_remaining, input.Length);
                _remaining -= consumed;
                if (_remaining > 0)
                {
                    return HttpStep.Body;
                }

                _state = State.Head;
                return HttpStep.End;
            case State.UntilClose:
                consumed = input.Length;
                return HttpStep.Body;
            default:
                return NextChunked(input, out consumed);
        }
    }

    /// <summary>Sets how the body of the head just read is framed; false when it has none (the message is complete).</summary>
    public bool StartBody(BodyFraming framing, long length)
    {
        switch (framing)
        {
            case BodyFraming.Length when length > 0:
                (_state, _remaining) = (State.Length, length);
                return true;
            case BodyFraming.Chunked:
                (_state, _remaining, _sizeDigits) = (State.ChunkSize, 0, 0);
                return true;
            case BodyFraming.UntilClose:
                _state = State.UntilClose;
                return true;
            default:
                _state = State.Head;
                return false;
        }
    }

    private HttpStep NextHead(ReadOnlySpan<byte> input, out int consumed)
    {
        consumed = 0;
        var skip = 0;
        while (skip < input.Length && input[skip] is (byte)'\r' or (byte)'\n')
        {
            skip++;
        }

        var end = input[skip..].IndexOf("\r\n\r\n"u8);
        var bare = input[skip..].IndexOf("\n\n"u8);
        if (bare >= 0 && (end < 0 || bare < end))
        {
            // Lines ended by LF alone: tolerated by some servers, but not framed here; passed through.
            return HttpStep.Invalid;
        }

        if (end < 0)
        {
            return input.Length - skip > MaxHead ? HttpStep.Invalid : HttpStep.NeedMore;
        }

        if (end > MaxHead)
        {
            return HttpStep.Invalid;
        }

        HeadOffset = skip;
        consumed = skip + end + 4;
        _state = State.AwaitingFraming;
        return HttpStep.Head;
    }

    private HttpStep NextChunked(ReadOnlySpan<byte> input, out int consumed)
    {
        var i = 0;
        while (i < input.Length)
        {
            var b = input[i];
            switch (_state)
            {
                case State.ChunkSize:
                    var digit = HexValue(b);
                    if (digit >= 0)
                    {
                        if (++_sizeDigits > 15)
                        {
                            consumed = i;
                            return HttpStep.Invalid;
                        }

                        _remaining = (_remaining << 4) | (long)digit;
                        i++;
                    }
                    else if (_sizeDigits > 0 && b is (byte)';' or (byte)' ' or (byte)'\t')
                    {
                        _state = State.ChunkExtension;
                        i++;
                    }
                    else if (_sizeDigits > 0 && b == '\r')
                    {
                        _state = State.ChunkSizeLf;
                        i++;
                    }
                    else
                    {
                        consumed = i;
                        return HttpStep.Invalid;
                    }

                    break;
                case State.ChunkExtension:
                    if (b == '\r')
                    {
                        _state = State.ChunkSizeLf;
                    }

                    i++;
                    break;
                case State.ChunkSizeLf:
                    if (b != '\n')
                    {
                        consumed = i;
                        return HttpStep.Invalid;
                    }

                    i++;
                    _state = _remaining == 0 ? State.TrailerLineStart : State.ChunkData;
                    break;
                case State.ChunkData:
                    var take = (int)Math.Min(_remaining, input.Length - i);
                    i += take;
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = State.ChunkDataCr;
                    }

                    break;
                case State.ChunkDataCr:
                case State.ChunkDataLf:
                    if (b != (_state == State.ChunkDataCr ? '\r' : '\n'))
                    {
                        consumed = i;
                        return HttpStep.Invalid;
                    }

                    i++;
                    if (_state == State.ChunkDataCr)
                    {
                        _state = State.ChunkDataLf;
                    }
                    else
                    {
                        (_state, _remaining, _sizeDigits) = (State.ChunkSize, 0, 0);
                    }

                    break;
                case State.TrailerLineStart:
                    i++;
                    _state = b == '\r' ? State.TrailerEndLf : State.TrailerLine;
                    break;
                case State.TrailerLine:
                    i++;
                    if (b == '\r')
                    {
                        _state = State.TrailerLineLf;
                    }

                    break;
                case State.TrailerLineLf:
                    i++;
                    _state = b == '\n' ? State.TrailerLineStart : State.TrailerLine;
                    break;
                case State.TrailerEndLf:
                    i++;
                    if (b != '\n')
                    {
                        consumed = i;
                        return HttpStep.Invalid;
                    }

                    _state = State.Head;
                    consumed = i;
                    return HttpStep.End;
            }
        }

        consumed = i;
        return HttpStep.Body;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>The payload of a whole chunked body (sizes, extensions and trailers dropped).</summary>
    public static byte[] Dechunk(ReadOnlySpan<byte> chunked)
    {
        var body = new MemoryStream();
        var pos = 0;
        while (pos < chunked.Length)
        {
            var lineEnd = chunked[pos..].IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var line = chunked.Slice(pos, lineEnd);
            var size = 0L;
            foreach (var b in line)
            {
                var digit = HexValue(b);
                if (digit < 0)
                {
                    break;
                }

                size = (size << 4) | (long)digit;
            }

            pos += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            body.Write(chunked.Slice(pos, (int)size));
            pos += (int)size + 2;
        }

        return body.ToArray();
    }
}
