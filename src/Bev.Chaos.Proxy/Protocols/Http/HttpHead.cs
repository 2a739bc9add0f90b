using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Bev.Chaos.Proxy.Protocols.Http;

/// <summary>
/// The start line and header fields of one HTTP/1.x message, as parsed from its bytes (Latin-1, as
/// RFC 9110 reads field values), with what decides how its body is framed.
/// </summary>
internal sealed class HttpHead
{
    private HttpHead(string method, string target, int status, List<KeyValuePair<string, string>> headers)
    {
        Method = method;
        Target = target;
        Status = status;
        Headers = headers;
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? target : target[..query];
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // Absolute form (a request to a proxy): the path starts after the authority.
            var slash = path.IndexOf('/', path.IndexOf("//", StringComparison.Ordinal) + 2);
            path = slash < 0 ? "/" : path[slash..];
        }

        Path = path;
    }

    /// <summary>The request's method (empty for a response).</summary>
    public string Method { get; }

    /// <summary>The request target as sent (empty for a response).</summary>
    public string Target { get; }

    /// <summary>The request target's path, without query (empty for a response).</summary>
    public string Path { get; }

    /// <summary>The response's status code (0 for a request).</summary>
    public int Status { get; }

    /// <summary>The header fields in order, as sent.</summary>
    public List<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Whether the client asks to switch protocols (<c>Upgrade</c> with <c>Connection: upgrade</c>) or to tunnel (<c>CONNECT</c>).</summary>
    public bool AsksToLeaveHttp => Method == "CONNECT" || (Header("Upgrade") is not null && HasToken("Connection", "upgrade"));

    /// <summary>Whether the client waits for <c>100 Continue</c> before its body.</summary>
    public bool ExpectsContinue => Header("Expect") is { } expect && expect.Trim().Equals("100-continue", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the sender means to close the connection after this message.</summary>
    public bool Closes(bool http10) => HasToken("Connection", "close") || (http10 && !HasToken("Connection", "keep-alive"));

    /// <summary>Whether this is an HTTP/1.0 message.</summary>
    public bool IsHttp10 { get; private init; }

    /// <summary>The first value of the header <paramref name="name"/>, or null.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Parses a request head (start line to the empty line, CRLFs included); null when it is not HTTP/1.x.</summary>
    public static HttpHead? ParseRequest(ReadOnlySpan<byte> head)
    {
        var lines = Lines(head, out var start);
        if (lines is null)
        {
            return null;
        }

        var parts = start.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        return new HttpHead(parts[0], parts[1], 0, lines) { IsHttp10 = parts[2] == "HTTP/1.0" };
    }

    /// <summary>Parses a response head; null when it is not HTTP/1.x.</summary>
    public static HttpHead? ParseResponse(ReadOnlySpan<byte> head)
    {
        var lines = Lines(head, out var start);
        if (lines is null || !start.StartsWith("HTTP/1.", StringComparison.Ordinal) || start.Length < 12 || start[8] != ' '
            || !int.TryParse(start.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 100)
        {
            return null;
        }

        return new HttpHead(string.Empty, string.Empty, status, lines) { IsHttp10 = start.StartsWith("HTTP/1.0", StringComparison.Ordinal) };
    }

    /// <summary>How the body of this request is framed (RFC 9112 §6.3); <see cref="BodyFraming.Invalid"/> where a server must answer 400.</summary>
    public (BodyFraming Framing, long Length) RequestBody()
    {
        if (AllValues("Transfer-Encoding") is { } coding)
        {
            return LastToken(coding).Equals("chunked", StringComparison.OrdinalIgnoreCase) ? (BodyFraming.Chunked, 0) : (BodyFraming.Invalid, 0);
        }

        return ContentLength() switch
        {
            null => (BodyFraming.None, 0),
            < 0 => (BodyFraming.Invalid, 0),
            0 => (BodyFraming.None, 0),
            var n => (BodyFraming.Length, n.Value),
        };
    }

    /// <summary>How the body of this response is framed, given what its request was.</summary>
    public (BodyFraming Framing, long Length) ResponseBody(bool toHead)
    {
        if (toHead || Status is (>= 100 and < 200) or 204 or 304)
        {
            return (BodyFraming.None, 0);
        }

        if (AllValues("Transfer-Encoding") is { } coding)
        {
            return LastToken(coding).Equals("chunked", StringComparison.OrdinalIgnoreCase) ? (BodyFraming.Chunked, 0) : (BodyFraming.UntilClose, 0);
        }

        return ContentLength() switch
        {
            null => (BodyFraming.UntilClose, 0),
            < 0 => (BodyFraming.Invalid, 0),
            0 => (BodyFraming.None, 0),
            var n => (BodyFraming.Length, n.Value),
        };
    }

    /// <summary>
    /// A response's bytes: status line with the standard reason phrase, <paramref name="headers"/>,
    /// a Content-Length of <paramref name="contentLength"/> unless null, and <paramref name="body"/>.
    /// </summary>
    public static byte[] Response(int status, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body, long? contentLength)
    {
        var text = new StringBuilder(256);
        text.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\n");
        foreach (var (name, value) in headers)
        {
            if (contentLength is not null && name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (contentLength is { } length && status is not ((>= 100 and < 200) or 204 or 304))
        {
            text.Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n");
        }

        text.Append("\r\n");
        if (status is (>= 100 and < 200) or 204 or 304)
        {
            // These never carry a body: one sent anyway would be read as the next response.
            body = [];
        }

        var head = Encoding.Latin1.GetBytes(text.ToString());
        var message = new byte[head.Length + body.Length];
        head.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(head.Length));
        return message;
    }

    /// <summary>Every value of the header <paramref name="name"/>, joined with commas as RFC 9110 allows; null when absent.</summary>
    private string? AllValues(string name)
    {
        var values = Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(", ", values);
    }

    private long? ContentLength()
    {
        long? found = null;
        foreach (var (key, value) in Headers)
        {
            if (!key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // Repeated or comma-listed values must all agree, else the message is malformed.
            foreach (var part in value.Split(','))
            {
                if (!long.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || (found is { } seen && seen != n))
                {
                    return -1;
                }

                found = n;
            }
        }

        return found;
    }

    private bool HasToken(string header, string token)
    {
        foreach (var (key, value) in Headers)
        {
            if (key.Equals(header, StringComparison.OrdinalIgnoreCase) && value.Split(',').Any(t => t.Trim().Equals(token, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private static string LastToken(string list) => list.Split(',')[^1].Trim();

    private static List<KeyValuePair<string, string>>? Lines(ReadOnlySpan<byte> head, out string start)
    {
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        start = lines[0];
        var headers = new List<KeyValuePair<string, string>>(lines.Length);
        foreach (var line in lines.AsSpan(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[0] is ' ' or '\t' || line[colon - 1] is ' ' or '\t')
            {
                // Obsolete line folding or whitespace before the colon: refused, as RFC 9112 asks.
                return null;
            }

            headers.Add(KeyValuePair.Create(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        return headers;
    }
}

/// <summary>How an HTTP message's body is delimited.</summary>
internal enum BodyFraming
{
    /// <summary>No body.</summary>
    None,

    /// <summary>Content-Length bytes.</summary>
    Length,

    /// <summary>Transfer-Encoding: chunked.</summary>
    Chunked,

    /// <summary>Everything until the sender closes (responses only).</summary>
    UntilClose,

    /// <summary>Framing no recipient may guess at: the proxy stops parsing and passes bytes through.</summary>
    Invalid,
}
