namespace Bev.Chaos.Proxy.Protocols.Redis;

/// <summary>What the client is owed, in command order, for each command the session has handled.</summary>
internal enum RedisReplySlotKind
{
    /// <summary>The command went to Redis: its reply passes on when it comes.</summary>
    Forwarded,

    /// <summary>Redis was sent a stand-in (<c>DISCARD</c> for an aborted <c>EXEC</c>): its reply is dropped and <see cref="RedisReplySlot.Reply"/> sent instead.</summary>
    Replaced,

    /// <summary>The session answered itself: <see cref="RedisReplySlot.Reply"/> goes out once every earlier reply has.</summary>
    Synthesized,

    /// <summary>From here on the connection is passed through untouched (subscriptions, <c>MONITOR</c>, <c>CLIENT REPLY</c>, bytes that are not RESP).</summary>
    PassThrough,
}

/// <summary>One entry of the reply order.</summary>
internal readonly record struct RedisReplySlot(RedisReplySlotKind Kind, byte[]? Reply = null);
