using System.Buffers.Text;

namespace Bev.Chaos.Proxy.Protocols.Redis;

/// <summary>What the scanner found at the end of the bytes it consumed.</summary>
internal enum ReplyEnd
{
    /// <summary>The bytes end inside a frame (or are none).</summary>
    Partial,

    /// <summary>A top-level reply ended: the answer to one command.</summary>
    Reply,

    /// <summary>A RESP3 push (<c>&gt;</c>) ended: out of band, it answers no command.</summary>
    Push,

    /// <summary>A RESP3 attribute (<c>|</c>) ended: it belongs to the reply that follows.</summary>
    Attribute,

    /// <summary>Not RESP: the session stops parsing and passes bytes on as they are.</summary>
    Invalid,
}

/// <summary>
/// Finds where each reply of the server ends, RESP2 and RESP3, incrementally: frames may span any
/// number of reads. Bulk payloads are skipped by length, never copied; only a header line split
/// across two reads is held (at most 64 KiB).
/// </summary>
internal sealed class RespReplyScanner
{
    private const int MaxLine = 64 * 1024;

    // Per open aggregate: elements still to come, and whether it is an attribute (which its parent does not count).
    private readonly Stack<(long Remaining, bool Attribute)> _open = new();
    private readonly byte[] _line = new byte[MaxLine];
    private int _lineLength;
    private long _skip;
    private byte _topKind;

    /// <summary>No frame has begun: the next byte starts a new top-level frame.</summary>
    public bool AtFrameStart => _open.Count == 0 && _skip == 0 && _lineLength == 0 && _topKind == 0;

    /// <summary>Consumes bytes up to the end of the current top-level frame, or all of them.</summary>
    public int Scan(ReadOnlySpan<byte> data, out ReplyEnd end)
    {
        var pos = 0;
        end = ReplyEnd.Partial;
        while (pos < data.Length)
        {
            if (_skip > 0)
            {
                var take = (int)Math.Min(_skip, data.Length - pos);
                pos += take;
                _skip -= take;
                if (_skip == 0 && ElementDone(false, out end))
                {
                    return pos;
                }

                continue;
            }

            var newline = data[pos..].IndexOf((byte)'\n');
            ReadOnlySpan<byte> line;
            if (newline < 0)
            {
                if (_lineLength + data.Length - pos > MaxLine)
                {
                    end = ReplyEnd.Invalid;
                    return data.Length;
                }

                data[pos..].CopyTo(_line.AsSpan(_lineLength));
                _lineLength += data.Length - pos;
                return data.Length;
            }

            if (_lineLength > 0)
            {
                if (_lineLength + newline > MaxLine)
                {
                    end = ReplyEnd.Invalid;
                    return data.Length;
                }

                data.Slice(pos, newline).CopyTo(_line.AsSpan(_lineLength));
                line = _line.AsSpan(0, _lineLength + newline);
            }
            else
            {
                line = data.Slice(pos, newline);
            }

            pos += newline + 1;
            var complete = Header(line, out var invalid);
            _lineLength = 0;
            if (invalid)
            {
                end = ReplyEnd.Invalid;
                return data.Length;
            }

            if (complete && ElementDone(false, out end))
            {
                return pos;
            }
        }

        return pos;
    }

    /// <summary>Reads one header line (CR included at its end); true when it is a whole element by itself.</summary>
    private bool Header(ReadOnlySpan<byte> line, out bool invalid)
    {
        invalid = false;
        if (line.Length < 2 || line[^1] != '\r')
        {
            invalid = true;
            return false;
        }

        var kind = line[0];
        var body = line[1..^1];
        if (_open.Count == 0 && _topKind == 0)
        {
            _topKind = kind;
        }

        switch (kind)
        {
            case (byte)'+' or (byte)'-' or (byte)':' or (byte)'_' or (byte)'#' or (byte)',' or (byte)'(':
                return true;
            case (byte)'$' or (byte)'!' or (byte)'=':
                if (!Number(body, out var length))
                {
                    invalid = true;
                    return false;
                }

                if (length < 0)
                {
                    return true;
                }

                _skip = length + 2;
                return false;
            case (byte)'*' or (byte)'~' or (byte)'>' or (byte)'%' or (byte)'|':
                if (!Number(body, out var count))
                {
                    invalid = true;
                    return false;
                }

                var elements = kind is (byte)'%' or (byte)'|' ? count * 2 : count;
                if (elements <= 0)
                {
                    return true;
                }

                _open.Push((elements, kind == '|'));
                return false;
            default:
                // Streamed strings and aggregates (RESP3 "?" lengths) and anything else: Redis sends
                // none of them, and the session passes such a stream on untouched.
                invalid = true;
                return false;
        }
    }

    /// <summary>An element ended: counts it against its aggregate; true when a top-level frame ended.</summary>
    private bool ElementDone(bool attribute, out ReplyEnd end)
    {
        end = ReplyEnd.Partial;
        while (true)
        {
            if (_open.Count == 0)
            {
                end = attribute ? ReplyEnd.Attribute : _topKind == '>' ? ReplyEnd.Push : _topKind == '|' ? ReplyEnd.Attribute : ReplyEnd.Reply;
                _topKind = 0;
                return true;
            }

            if (attribute)
            {
                // An attribute ahead of an element is not one of its aggregate's elements.
                return false;
            }

            var (remaining, isAttribute) = _open.Pop();
            if (remaining > 1)
            {
                _open.Push((remaining - 1, isAttribute));
                return false;
            }

            attribute = isAttribute;
        }
    }

    private static bool Number(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length;
}
