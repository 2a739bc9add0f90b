using System.Buffers.Text;
using System.Collections.Frozen;

namespace Bev.Chaos.Proxy.Protocols.Redis;

/// <summary>
/// Where a command's keys are, for the <c>key</c> glob. Most commands take one key right after the
/// name; the tables list those that take none, several, or keep them elsewhere.
/// </summary>
internal static class RedisKeys
{
    private static readonly FrozenSet<string> NoKeys = new[]
    {
        "ACL", "ASKING", "AUTH", "BGREWRITEAOF", "BGSAVE", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DBSIZE", "DEBUG", "DISCARD",
        "ECHO", "EXEC", "FAILOVER", "FLUSHALL", "FLUSHDB", "FUNCTION", "HELLO", "INFO", "KEYS", "LASTSAVE", "LATENCY", "LOLWUT",
        "MODULE", "MONITOR", "MULTI", "PING", "PSUBSCRIBE", "PSYNC", "PUBLISH", "PUBSUB", "PUNSUBSCRIBE", "QUIT", "RANDOMKEY",
        "READONLY", "READWRITE", "REPLICAOF", "RESET", "ROLE", "SAVE", "SCAN", "SCRIPT", "SELECT", "SHUTDOWN", "SLAVEOF", "SLOWLOG",
        "SPUBLISH", "SSUBSCRIBE", "SUBSCRIBE", "SUNSUBSCRIBE", "SWAPDB", "SYNC", "TIME", "UNSUBSCRIBE", "UNWATCH", "WAIT", "WAITAOF",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Every argument is a key.</summary>
    private static readonly FrozenSet<string> AllKeys = new[]
    {
        "DEL", "EXISTS", "MGET", "PFCOUNT", "PFMERGE", "RENAME", "RENAMENX", "SDIFF", "SDIFFSTORE", "SINTER", "SINTERSTORE",
        "SMOVE", "SUNION", "SUNIONSTORE", "TOUCH", "UNLINK", "WATCH", "COPY", "LMOVE", "RPOPLPUSH", "BLMOVE", "BRPOPLPUSH",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Keys and values alternate.</summary>
    private static readonly FrozenSet<string> KeyValuePairs = new[] { "MSET", "MSETNX" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>A key count at argument 2 and that many keys after it.</summary>
    private static readonly FrozenSet<string> CountedKeys = new[] { "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether any key of <paramref name="command"/> matches the glob <paramref name="pattern"/>.</summary>
    public static bool AnyMatches(RedisCommand command, ReadOnlySpan<byte> pattern)
    {
        var args = command.Arguments;
        var name = command.Name;
        if (args.Count < 2 || NoKeys.Contains(name))
        {
            return false;
        }

        if (AllKeys.Contains(name))
        {
            return AnyOf(args, pattern, 1, args.Count, 1);
        }

        if (KeyValuePairs.Contains(name))
        {
            return AnyOf(args, pattern, 1, args.Count, 2);
        }

        if (CountedKeys.Contains(name))
        {
            if (args.Count < 3 || !Utf8Parser.TryParse(args[2].Span, out int count, out var used) || used != args[2].Length || count < 0)
            {
                return false;
            }

            return AnyOf(args, pattern, 3, Math.Min(args.Count, 3 + count), 1);
        }

        if (name is "OBJECT" or "MEMORY" or "BITOP")
        {
            return args.Count > 2 && RedisGlob.IsMatch(pattern, args[2].Span);
        }

        return RedisGlob.IsMatch(pattern, args[1].Span);
    }

    private static bool AnyOf(List<ReadOnlyMemory<byte>> args, ReadOnlySpan<byte> pattern, int from, int to, int step)
    {
        for (var i = from; i < to; i += step)
        {
            if (RedisGlob.IsMatch(pattern, args[i].Span))
            {
                return true;
            }
        }

        return false;
    }
}
