using System.Buffers.Binary;
using System.Text;

namespace Bev.Chaos.Proxy.Protocols.Postgres;

/// <summary>The few PostgreSQL protocol-3 messages the session reads or writes.</summary>
internal static class PostgresMessages
{
    public const int SslRequestCode = 80877103;
    public const int GssEncRequestCode = 80877104;
    public const int CancelRequestCode = 80877102;

    /// <summary>The longest startup packet PostgreSQL accepts (MAX_STARTUP_PACKET_LENGTH).</summary>
    public const int MaxStartupLength = 10000;

    /// <summary>The server's answer to SSLRequest and GSSENCRequest when it does not encrypt.</summary>
    public static readonly byte[] NoEncryption = "N"u8.ToArray();

    /// <summary>An ErrorResponse with severity, SQLSTATE and message (the fields every client reads).</summary>
    public static byte[] ErrorResponse(string severity, string sqlState, string message)
    {
        var body = new MemoryStream();
        void Field(char code, string value)
        {
            body.WriteByte((byte)code);
            body.Write(Encoding.UTF8.GetBytes(value));
            body.WriteByte(0);
        }

        Field('S', severity);
        Field('V', severity);
        Field('C', sqlState);
        Field('M', message);
        body.WriteByte(0);
        return Message((byte)'E', body.ToArray());
    }

    /// <summary>A simple Query of <paramref name="text"/>.</summary>
    public static byte[] Query(string text)
    {
        var body = Encoding.UTF8.GetBytes(text + "\0");
        return Message((byte)'Q', body);
    }

    /// <summary>A Bind of the unnamed portal to <paramref name="statement"/> with no parameters.</summary>
    public static byte[] Bind(string statement)
    {
        var name = Encoding.UTF8.GetBytes(statement);
        var body = new byte[1 + name.Length + 1 + 6];
        name.CopyTo(body, 1);
        return Message((byte)'B', body);
    }

    /// <summary>The NUL-terminated string at the start of <paramref name="data"/>, and how many bytes it took with its NUL (0 when there is no NUL).</summary>
    public static string CString(ReadOnlySpan<byte> data, out int used)
    {
        var end = data.IndexOf((byte)0);
        if (end < 0)
        {
            used = 0;
            return string.Empty;
        }

        used = end + 1;
        return Encoding.UTF8.GetString(data[..end]);
    }

    public static int Int32(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadInt32BigEndian(data);

    private static byte[] Message(byte type, byte[] body)
    {
        var message = new byte[5 + body.Length];
        message[0] = type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + body.Length);
        body.CopyTo(message, 5);
        return message;
    }
}
