using System.Text;
using Bev.Chaos.Proxy.Protocols.Redis;

namespace Bev.Chaos.Proxy.Tests.Protocols.Redis;

/// <summary>The RESP parsers on their own (no server): every way a stream can be cut into reads.</summary>
public sealed class RespParsingTests
{
    private const string Replies =
        "+OK\r\n-ERR bad\r\n:42\r\n$5\r\nhello\r\n$-1\r\n$0\r\n\r\n*2\r\n$1\r\na\r\n*1\r\n:1\r\n*-1\r\n*0\r\n" +
        "%2\r\n+a\r\n:1\r\n+b\r\n*2\r\n:1\r\n:2\r\n_\r\n#t\r\n,3.14\r\n(123456789012345678901234567890\r\n=15\r\ntxt:Some string\r\n" +
        "!8\r\nSYNTAX x\r\n~2\r\n+x\r\n+y\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n+after-push\r\n|1\r\n+ttl\r\n:3600\r\n$2\r\nhi\r\n" +
        "*2\r\n|1\r\n+meta\r\n+v\r\n:7\r\n:8\r\n";

    // 17 replies (the RESP2 and RESP3 types), a push, a reply, an attribute, the reply it belongs
    // to, and an array whose element carries an attribute of its own.
    private static readonly ReplyEnd[] Expected =
    [
        .. Enumerable.Repeat(ReplyEnd.Reply, 17), ReplyEnd.Push, ReplyEnd.Reply, ReplyEnd.Attribute, ReplyEnd.Reply, ReplyEnd.Reply,
    ];

    [Fact]
    public void ReplyScanner_WholeStream_FindsEveryFrame()
    {
        Assert.Equal(Expected, Scan(Encoding.ASCII.GetBytes(Replies), [Replies.Length]));
    }

    [Fact]
    public void ReplyScanner_CutAtEveryOffset_FindsTheSameFrames()
    {
        var bytes = Encoding.ASCII.GetBytes(Replies);
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            Assert.Equal(Expected, Scan(bytes, [cut, bytes.Length - cut]));
        }
    }

    [Fact]
    public void ReplyScanner_OneByteAtATime_FindsTheSameFrames()
    {
        var bytes = Encoding.ASCII.GetBytes(Replies);
        Assert.Equal(Expected, Scan(bytes, Enumerable.Repeat(1, bytes.Length).ToArray()));
    }

    [Theory]
    [InlineData("?bad\r\n")]
    [InlineData("$abc\r\n")]
    [InlineData("$?\r\n")]
    [InlineData("+no-cr\n")]
    public void ReplyScanner_NotResp_SaysSo(string text)
    {
        new RespReplyScanner().Scan(Encoding.ASCII.GetBytes(text), out var end);

        Assert.Equal(ReplyEnd.Invalid, end);
    }

    [Fact]
    public void RequestParser_Multibulk_GivesNameAndArguments()
    {
        var command = new RedisCommand();
        var bytes = Encoding.ASCII.GetBytes("*3\r\n$3\r\nset\r\n$1\r\nk\r\n$0\r\n\r\n");

        Assert.Equal(RequestParse.Command, RespRequestParser.TryParse(bytes, command, out var consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal("SET", command.Name);
        Assert.Equal(["set", "k", ""], command.Arguments.Select(a => Encoding.ASCII.GetString(a.Span)));
    }

    [Fact]
    public void RequestParser_IncompleteMultibulk_NeedsMoreAtEveryCut()
    {
        var bytes = Encoding.ASCII.GetBytes("*2\r\n$3\r\nget\r\n$5\r\nhello\r\n");
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            Assert.Equal(RequestParse.NeedMore, RespRequestParser.TryParse(bytes.AsMemory(0, cut), new RedisCommand(), out _));
        }
    }

    [Theory]
    [InlineData("GET key\r\n", new[] { "GET", "key" })]
    [InlineData("  set  \"a b\"  'c d'\n", new[] { "set", "a b", "c d" })]
    [InlineData("set k \"x\\x41\\n\"\r\n", new[] { "set", "k", "xA\n" })]
    [InlineData("set k 'it\\'s'\r\n", new[] { "set", "k", "it's" })]
    public void RequestParser_Inline_SplitsAsRedisDoes(string line, string[] words)
    {
        var command = new RedisCommand();

        Assert.Equal(RequestParse.Command, RespRequestParser.TryParse(Encoding.ASCII.GetBytes(line), command, out _));
        Assert.Equal(words, command.Arguments.Select(a => Encoding.ASCII.GetString(a.Span)));
    }

    [Theory]
    [InlineData("\r\n", "Nothing")]
    [InlineData("*0\r\n", "Nothing")]
    [InlineData("*-1\r\n", "Nothing")]
    [InlineData("set \"open\r\n", "ProtocolError")]
    [InlineData("*1\r\n+x\r\n", "ProtocolError")]
    [InlineData("*x\r\n", "ProtocolError")]
    public void RequestParser_EmptyOrBroken_IsSeenAsRedisSeesIt(string text, string expected)
    {
        Assert.Equal(Enum.Parse<RequestParse>(expected), RespRequestParser.TryParse(Encoding.ASCII.GetBytes(text), new RedisCommand(), out _));
    }

    [Theory]
    [InlineData("session:*", "session:42", true)]
    [InlineData("session:*", "user:42", false)]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-c]llo", "hbllo", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    [InlineData("\\*", "*", true)]
    [InlineData("\\*", "x", false)]
    [InlineData("*", "", true)]
    public void Glob_MatchesAsRedisKeysDoes(string pattern, string key, bool expected)
    {
        Assert.Equal(expected, RedisGlob.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(key)));
    }

    private static List<ReplyEnd> Scan(byte[] bytes, int[] pieces)
    {
        var scanner = new RespReplyScanner();
        var ends = new List<ReplyEnd>();
        var offset = 0;
        foreach (var piece in pieces)
        {
            var data = bytes.AsSpan(offset, piece);
            while (!data.IsEmpty)
            {
                var used = scanner.Scan(data, out var end);
                Assert.True(used > 0, "the scanner made no progress");
                data = data[used..];
                if (end != ReplyEnd.Partial)
                {
                    ends.Add(end);
                }
            }

            offset += piece;
        }

        Assert.True(scanner.AtFrameStart, "the scanner should end between frames");
        return ends;
    }
}
