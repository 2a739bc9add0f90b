using System.Buffers.Text;

namespace Bev.Chaos.Proxy.Protocols.Redis;

/// <summary>What parsing the start of the client's bytes found.</summary>
internal enum RequestParse
{
    /// <summary>Not a whole command yet.</summary>
    NeedMore,

    /// <summary>A whole command.</summary>
    Command,

    /// <summary>Bytes Redis consumes without a reply (an empty inline line, <c>*0</c>).</summary>
    Nothing,

    /// <summary>Bytes Redis answers with a protocol error and then closes the connection.</summary>
    ProtocolError,
}

/// <summary>
/// Parses client requests as Redis does (<c>processMultibulkBuffer</c>, <c>processInlineBuffer</c>):
/// multibulk <c>*N\r\n$len\r\n…\r\n</c> and inline commands (words split as <c>sdssplitargs</c> does,
/// quotes and escapes included), with Redis' default limits.
/// </summary>
internal static class RespRequestParser
{
    /// <summary>Redis' PROTO_INLINE_MAX_SIZE: a longer line without a newline is a protocol error.</summary>
    public const int MaxInlineSize = 64 * 1024;

    /// <summary>Redis' default proto-max-bulk-len.</summary>
    public const long MaxBulkLength = 512L * 1024 * 1024;

    public static RequestParse TryParse(ReadOnlyMemory<byte> input, RedisCommand command, out int consumed)
    {
        consumed = 0;
        command.Arguments.Clear();
        var span = input.Span;
        if (span.IsEmpty)
        {
            return RequestParse.NeedMore;
        }

        return span[0] == '*' ? ParseMultibulk(input, command, out consumed) : ParseInline(span, command, out consumed);
    }

    private static RequestParse ParseMultibulk(ReadOnlyMemory<byte> input, RedisCommand command, out int consumed)
    {
        consumed = 0;
        var span = input.Span;
        var header = ReadLine(span, 1, out var count);
        if (header == Line.NeedMore)
        {
            return RequestParse.NeedMore;
        }

        if (header == Line.Bad || count > int.MaxValue)
        {
            return RequestParse.ProtocolError;
        }

        var pos = span.IndexOf((byte)'\n') + 1;
        if (count <= 0)
        {
            consumed = pos;
            return RequestParse.Nothing;
        }

        for (var i = 0L; i < count; i++)
        {
            if (pos >= span.Length)
            {
                return RequestParse.NeedMore;
            }

            if (span[pos] != '$')
            {
                return RequestParse.ProtocolError;
            }

            var bulk = ReadLine(span, pos + 1, out var length);
            if (bulk == Line.NeedMore)
            {
                return RequestParse.NeedMore;
            }

            if (bulk == Line.Bad || length < 0 || length > MaxBulkLength)
            {
                return RequestParse.ProtocolError;
            }

            pos += span[pos..].IndexOf((byte)'\n') + 1;
            if (span.Length - pos < length + 2)
            {
                return RequestParse.NeedMore;
            }

            command.Arguments.Add(input.Slice(pos, (int)length));
            pos += (int)length + 2;
        }

        consumed = pos;
        command.NameFromFirstArgument();
        return RequestParse.Command;
    }

    private enum Line
    {
        Ok,
        NeedMore,
        Bad,
    }

    /// <summary>Reads the number on a header line that starts at <paramref name="from"/> and ends in CRLF.</summary>
    private static Line ReadLine(ReadOnlySpan<byte> span, int from, out long value)
    {
        value = 0;
        var rest = span[from..];
        var end = rest.IndexOf((byte)'\r');
        if (end < 0 || end + 1 >= rest.Length)
        {
            return rest.Length > MaxInlineSize ? Line.Bad : Line.NeedMore;
        }

        if (rest[end + 1] != '\n' || !Utf8Parser.TryParse(rest[..end], out value, out var used) || used != end)
        {
            return Line.Bad;
        }

        return Line.Ok;
    }

    private static RequestParse ParseInline(ReadOnlySpan<byte> span, RedisCommand command, out int consumed)
    {
        consumed = 0;
        var newline = span.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return span.Length > MaxInlineSize ? RequestParse.ProtocolError : RequestParse.NeedMore;
        }

        consumed = newline + 1;
        var line = span[..newline];
        if (!line.IsEmpty && line[^1] == '\r')
        {
            line = line[..^1];
        }

        if (!SplitArguments(line, command.Arguments))
        {
            return RequestParse.ProtocolError;
        }

        if (command.Arguments.Count == 0)
        {
            return RequestParse.Nothing;
        }

        command.NameFromFirstArgument();
        return RequestParse.Command;
    }

    /// <summary>Redis' sdssplitargs: words, "double quotes" with \n \r \t \b \a \\ \" \xHH, 'single quotes' with \'.</summary>
    private static bool SplitArguments(ReadOnlySpan<byte> line, List<ReadOnlyMemory<byte>> words)
    {
        var i = 0;
        var current = new List<byte>();
        while (true)
        {
            while (i < line.Length && IsSpace(line[i]))
            {
                i++;
            }

            if (i >= line.Length)
            {
                return true;
            }

            current.Clear();
            var inDouble = false;
            var inSingle = false;
            var done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (i >= line.Length)
                    {
                        return false;
                    }

                    if (line[i] == '\\' && i + 3 < line.Length && line[i + 1] == 'x' && IsHex(line[i + 2]) && IsHex(line[i + 3]))
                    {
                        current.Add((byte)((Hex(line[i + 2]) << 4) | Hex(line[i + 3])));
                        i += 3;
                    }
                    else if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        current.Add(line[i] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        });
                    }
                    else if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        current.Add(line[i]);
                    }
                }
                else if (inSingle)
                {
                    if (i >= line.Length)
                    {
                        return false;
                    }

                    if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '\'')
                    {
                        i++;
                        current.Add((byte)'\'');
                    }
                    else if (line[i] == '\'')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        current.Add(line[i]);
                    }
                }
                else if (i >= line.Length || IsSpace(line[i]))
                {
                    done = true;
                }
                else if (line[i] == '"')
                {
                    inDouble = true;
                }
                else if (line[i] == '\'')
                {
                    inSingle = true;
                }
                else
                {
                    current.Add(line[i]);
                }

                if (i < line.Length)
                {
                    i++;
                }
            }

            words.Add(current.ToArray());
        }
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int Hex(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
