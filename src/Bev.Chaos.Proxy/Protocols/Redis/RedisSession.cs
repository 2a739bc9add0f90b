using System.Net.Sockets;
using System.Text;
using Bev.Chaos.Proxy.Toxics.Redis;

namespace Bev.Chaos.Proxy.Protocols.Redis;

/// <summary>
/// A Redis connection through a <c>redis</c> proxy. Client bytes are cut into commands; each is
/// forwarded (runs of forwarded commands in one send), delayed, or answered by the proxy itself.
/// Every command leaves a slot in the reply order, and server bytes are cut into replies that fill
/// the forwarded slots in turn, so the client gets its replies in command order — pipelines and
/// synthesized errors mixed. <c>MULTI</c>/<c>EXEC</c> behave as in Redis: an error injected while a
/// transaction queues makes its <c>EXEC</c> answer <c>-EXECABORT</c> (Redis is sent <c>DISCARD</c>
/// instead, and its <c>+OK</c> is dropped).
/// </summary>
internal sealed class RedisSession(Socket client, Socket server, TimeProvider time) : OrderedReplySession<RedisReplySlot>(client, server)
{
    private static readonly byte[] Discard = "*1\r\n$7\r\nDISCARD\r\n"u8.ToArray();
    private static readonly byte[] ExecAbort = "-EXECABORT Transaction discarded because of previous errors.\r\n"u8.ToArray();

    private readonly RedisCommand _command = new();
    private readonly RespReplyScanner _scanner = new();
    private readonly HeldBytes _held = new();
    private bool _inMulti;
    private bool _multiAborted;
    private bool _dropFrame;

    public override async ValueTask FromClientAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (ClientPassThrough)
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
            var parsed = RespRequestParser.TryParse(input[pos..], _command, out var consumed);
            if (parsed == RequestParse.NeedMore)
            {
                break;
            }

            if (parsed == RequestParse.ProtocolError)
            {
                // Redis answers it with an error and closes; from here the bytes are its business.
                await PassThroughFromHereAsync(new RedisReplySlot(RedisReplySlotKind.PassThrough), cancellationToken).ConfigureAwait(false);
                await SendToServerAsync(input[batch..], cancellationToken).ConfigureAwait(false);
                _held.Clear();
                return;
            }

            var start = pos;
            pos += consumed;
            if (parsed == RequestParse.Nothing)
            {
                continue;
            }

            var (delay, error) = Decide(_command);
            if (delay > TimeSpan.Zero)
            {
                await SendToServerAsync(input[batch..start], cancellationToken).ConfigureAwait(false);
                batch = start;
                await WaitUntilAsync(time, arrival, delay, cancellationToken).ConfigureAwait(false);
            }

            var name = _command.Name;
            if (error is not null)
            {
                await SendToServerAsync(input[batch..start], cancellationToken).ConfigureAwait(false);
                batch = pos;
                if (_inMulti && name == "EXEC")
                {
                    // Redis refusing EXEC itself discards the transaction and says why.
                    await ReplaceWithDiscardAsync(Encoding.UTF8.GetBytes("-EXECABORT Transaction discarded because of: " + error.Error + "\r\n"), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    _multiAborted |= _inMulti;
                    await SendOrQueueAsync(new RedisReplySlot(RedisReplySlotKind.Synthesized, error.Reply), error.Reply, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (_inMulti && name == "EXEC" && _multiAborted)
            {
                await SendToServerAsync(input[batch..start], cancellationToken).ConfigureAwait(false);
                batch = pos;
                await ReplaceWithDiscardAsync(ExecAbort, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (name is "SUBSCRIBE" or "PSUBSCRIBE" or "SSUBSCRIBE" or "MONITOR" or "SYNC" or "PSYNC" || (name == "CLIENT" && _command.Word(1) == "REPLY"))
            {
                // Replies no longer answer commands one for one: pass the rest through untouched.
                await PassThroughFromHereAsync(new RedisReplySlot(RedisReplySlotKind.PassThrough), cancellationToken).ConfigureAwait(false);
                await SendToServerAsync(input[batch..], cancellationToken).ConfigureAwait(false);
                _held.Clear();
                return;
            }

            Track(name);
            lock (Gate)
            {
                Slots.Enqueue(new RedisReplySlot(RedisReplySlotKind.Forwarded));
            }
        }

        await SendToServerAsync(input[batch..pos], cancellationToken).ConfigureAwait(false);
        _held.KeepFrom(input, pos);
    }

    public override async ValueTask FromServerAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await ClientWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var run = 0;
            var pos = 0;
            while (pos < data.Length)
            {
                if (ServerPassThrough)
                {
                    break;
                }

                if (_scanner.AtFrameStart)
                {
                    bool replaced;
                    lock (Gate)
                    {
                        replaced = Slots.TryPeek(out var head) && head.Kind == RedisReplySlotKind.Replaced;
                    }

                    _dropFrame = replaced && data.Span[pos] != '>';
                    if (_dropFrame)
                    {
                        await SendToClientAsync(data[run..pos], cancellationToken).ConfigureAwait(false);
                    }
                }

                var consumed = _scanner.Scan(data.Span[pos..], out var end);
                pos += consumed;
                if (_dropFrame)
                {
                    run = pos;
                }

                if (end == ReplyEnd.Invalid)
                {
                    ServerPassThrough = true;
                    break;
                }

                if (end != ReplyEnd.Reply)
                {
                    continue;
                }

                var owed = Answered();
                if (owed.Count > 0)
                {
                    await SendToClientAsync(data[run..pos], cancellationToken).ConfigureAwait(false);
                    run = pos;
                    foreach (var reply in owed)
                    {
                        await SendToClientAsync(reply, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            await SendToClientAsync(data[run..], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ClientWrite.Release();
        }
    }

    /// <summary>Which toxics act on the command: the longest delay drawn, the first error drawn.</summary>
    private (TimeSpan Delay, RedisErrorToxic? Error) Decide(RedisCommand command)
    {
        var delay = TimeSpan.Zero;
        RedisErrorToxic? error = null;
        foreach (var toxic in Toxics)
        {
            if (toxic is not RedisToxic redis || !redis.Matches(command) || !redis.Draw())
            {
                continue;
            }

            switch (redis)
            {
                case RedisDelayToxic d when d.Delay > delay:
                    delay = d.Delay;
                    break;
                case RedisErrorToxic e:
                    error ??= e;
                    break;
            }
        }

        return (delay, error);
    }

    /// <summary>Follows the transaction state of a command that went to Redis.</summary>
    private void Track(string name)
    {
        switch (name)
        {
            case "MULTI" when !_inMulti:
                (_inMulti, _multiAborted) = (true, false);
                break;
            case "EXEC" or "DISCARD" or "RESET":
                (_inMulti, _multiAborted) = (false, false);
                break;
        }
    }

    /// <summary>The reply for the head slot came: frees it; returns what goes out with it (a replacement, then synthesized replies now at the head).</summary>
    private List<byte[]> Answered()
    {
        var owed = new List<byte[]>();
        lock (Gate)
        {
            if (Slots.TryDequeue(out var slot) && slot.Kind == RedisReplySlotKind.Replaced)
            {
                owed.Add(slot.Reply!);
            }

            while (Slots.TryPeek(out var next) && next.Kind is RedisReplySlotKind.Synthesized or RedisReplySlotKind.PassThrough)
            {
                Slots.Dequeue();
                if (next.Kind == RedisReplySlotKind.PassThrough)
                {
                    ServerPassThrough = true;
                    break;
                }

                owed.Add(next.Reply!);
            }
        }

        return owed;
    }


    /// <summary>Ends the transaction on Redis with <c>DISCARD</c> and owes the client <paramref name="reply"/> for its <c>EXEC</c>.</summary>
    private async ValueTask ReplaceWithDiscardAsync(byte[] reply, CancellationToken cancellationToken)
    {
        (_inMulti, _multiAborted) = (false, false);
        lock (Gate)
        {
            Slots.Enqueue(new RedisReplySlot(RedisReplySlotKind.Replaced, reply));
        }

        await SendToServerAsync(Discard, cancellationToken).ConfigureAwait(false);
    }
}
