using System.Net.Sockets;
using Bev.Chaos.Proxy.Toxics.Http;

namespace Bev.Chaos.Proxy.Protocols.Http;

/// <summary>
/// An HTTP/1.x connection through an <c>http</c> proxy. Client bytes are cut into requests (keep-alive
/// and pipelining alike, bodies streamed as they come); each request is forwarded, delayed, or
/// answered by the proxy itself, and leaves a slot in the response order. Server bytes are cut into
/// responses that fill the forwarded slots in turn — interim 1xx responses passed on, a response the
/// toxics change held whole and rewritten — so the client gets its responses in request order. A
/// request that upgrades the connection or tunnels (<c>Upgrade</c>, <c>CONNECT</c>) and anything the
/// proxy cannot frame make the rest of the connection pass through untouched.
/// </summary>
internal sealed class HttpSession(Socket client, Socket server, TimeProvider time, Action<bool> close) : OrderedReplySession<HttpResponseSlot>(client, server)
{
    private readonly HttpFramer _requests = new();
    private readonly HttpFramer _responses = new();
    private readonly HeldBytes _clientHeld = new();
    private readonly HeldBytes _serverHeld = new();
    private bool _dropBody;
    private bool _clientDone;

    // The response being rewritten: its head, and its body bytes as they came.
    private HttpHead? _replacingHead;
    private MemoryStream? _replacingBody;
    private byte[] _replacingHeadBytes = [];
    private BodyFraming _replacingFraming;

    public override async ValueTask FromClientAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_clientDone)
        {
            return;
        }

        if (ClientPassThrough)
        {
            await SendToServerAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }

        var arrival = time.GetTimestamp();
        var input = _clientHeld.With(data);
        var pos = 0;
        var batch = 0;
        while (pos < input.Length)
        {
            var step = _requests.Next(input.Span[pos..], out var consumed);
            if (step == HttpStep.NeedMore)
            {
                break;
            }

            if (step == HttpStep.Invalid)
            {
                // The upstream answers it (400, most likely) and closes; from here the bytes are its business.
                await PassThroughFromHereAsync(new HttpResponseSlot { LeavesHttp = true }, cancellationToken).ConfigureAwait(false);
                await SendToServerAsync(input[batch..], cancellationToken).ConfigureAwait(false);
                _clientHeld.Clear();
                return;
            }

            if (step is HttpStep.Body or HttpStep.End)
            {
                if (_dropBody)
                {
                    await SendToServerAsync(input[batch..pos], cancellationToken).ConfigureAwait(false);
                    batch = pos + consumed;
                }

                pos += consumed;
                continue;
            }

            var headStart = pos + _requests.HeadOffset;
            var headEnd = pos + consumed;
            var head = HttpHead.ParseRequest(input.Span[headStart..headEnd]);
            var (framing, length) = head?.RequestBody() ?? (BodyFraming.Invalid, 0);
            if (head is null || framing == BodyFraming.Invalid)
            {
                await PassThroughFromHereAsync(new HttpResponseSlot { LeavesHttp = true }, cancellationToken).ConfigureAwait(false);
                await SendToServerAsync(input[batch..], cancellationToken).ConfigureAwait(false);
                _clientHeld.Clear();
                return;
            }

            var decision = Decide(head);
            if (decision.RequestDelay > TimeSpan.Zero)
            {
                await SendToServerAsync(input[batch..pos], cancellationToken).ConfigureAwait(false);
                batch = pos;
                await WaitUntilAsync(time, arrival, decision.RequestDelay, cancellationToken).ConfigureAwait(false);
            }

            var hasBody = _requests.StartBody(framing, length);
            if (decision.Abort is { } abort)
            {
                await SendToServerAsync(input[batch..pos], cancellationToken).ConfigureAwait(false);
                if (abort.Reset)
                {
                    _clientDone = true;
                    close(true);
                    return;
                }

                // The proxy cannot know whether a client waiting for 100 Continue will still send
                // its body, nor keep a connection the client closes: it says so and closes.
                var closeAfter = head.Closes(head.IsHttp10) || (hasBody && head.ExpectsContinue);
                _dropBody = true;
                batch = headEnd;
                pos = headEnd;
                var response = abort.Response(head, closeAfter);
                if (await SendOrQueueAsync(new HttpResponseSlot { Synthesized = response, CloseAfter = closeAfter }, response, cancellationToken).ConfigureAwait(false) && closeAfter)
                {
                    close(false);
                }
                if (closeAfter)
                {
                    _clientDone = true;
                    return;
                }

                continue;
            }

            _dropBody = false;
            var slot = new HttpResponseSlot
            {
                ToHead = head.Method == "HEAD",
                LeavesHttp = head.AsksToLeaveHttp,
                ResponseDelay = decision.ResponseDelay,
                Replace = decision.Replace,
            };
            lock (Gate)
            {
                Slots.Enqueue(slot);
            }

            pos = headEnd;
            if (slot.LeavesHttp)
            {
                ClientPassThrough = true;
                await SendToServerAsync(input[batch..], cancellationToken).ConfigureAwait(false);
                _clientHeld.Clear();
                return;
            }
        }

        await SendToServerAsync(input[batch..pos], cancellationToken).ConfigureAwait(false);
        _clientHeld.KeepFrom(input, pos);
    }

    public override async ValueTask FromServerAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await ClientWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (ServerPassThrough)
            {
                await SendToClientAsync(data, cancellationToken).ConfigureAwait(false);
                return;
            }

            var arrival = time.GetTimestamp();
            var input = _serverHeld.With(data);
            var pos = 0;
            var run = 0;
            while (pos < input.Length)
            {
                var step = _responses.Next(input.Span[pos..], out var consumed);
                if (step == HttpStep.NeedMore)
                {
                    break;
                }

                if (step == HttpStep.Invalid)
                {
                    pos = input.Length;
                    PassThroughBothWays();
                    break;
                }

                if (step is HttpStep.Body or HttpStep.End)
                {
                    if (_replacingBody is not null && _replacingBody.Length + consumed > HttpFramer.MaxReplacedBody)
                    {
                        // Too big to hold: what was held goes out as it came, and the rest streams on.
                        await SendToClientAsync(input[run..pos], cancellationToken).ConfigureAwait(false);
                        await SendToClientAsync(_replacingHeadBytes, cancellationToken).ConfigureAwait(false);
                        await SendToClientAsync(_replacingBody.GetBuffer().AsMemory(0, (int)_replacingBody.Length), cancellationToken).ConfigureAwait(false);
                        (_replacingHead, _replacingBody, _replacingHeadBytes) = (null, null, Array.Empty<byte>());
                        run = pos;
                    }

                    if (_replacingBody is not null)
                    {
                        await SendToClientAsync(input[run..pos], cancellationToken).ConfigureAwait(false);
                        _replacingBody.Write(input.Span.Slice(pos, consumed));
                        run = pos + consumed;
                    }

                    pos += consumed;
                    if (step == HttpStep.End)
                    {
                        await SendToClientAsync(input[run..pos], cancellationToken).ConfigureAwait(false);
                        run = pos;
                        if (await CompleteAsync(cancellationToken).ConfigureAwait(false))
                        {
                            return;
                        }
                    }

                    continue;
                }

                var headStart = pos + _responses.HeadOffset;
                var headEnd = pos + consumed;
                var head = HttpHead.ParseResponse(input.Span[headStart..headEnd]);
                HttpResponseSlot? slot;
                lock (Gate)
                {
                    Slots.TryPeek(out slot);
                }

                if (head is null || slot is null)
                {
                    // Not HTTP, or a response nobody asked for: pass the rest on as it is.
                    pos = input.Length;
                    PassThroughBothWays();
                    break;
                }

                pos = headEnd;
                if (head.Status is >= 100 and < 200 && head.Status != 101)
                {
                    // Interim (100 Continue, 103 Early Hints): passed on; the final response is still owed.
                    _responses.StartBody(BodyFraming.None, 0);
                    continue;
                }

                if (slot.LeavesHttp && head.Status is 101 or (>= 200 and < 300))
                {
                    // Switched protocols or a tunnel: nothing after this head is HTTP.
                    pos = input.Length;
                    ServerPassThrough = true;
                    break;
                }

                if (slot.ResponseDelay > TimeSpan.Zero)
                {
                    await SendToClientAsync(input[run..headStart], cancellationToken).ConfigureAwait(false);
                    run = headStart;
                    await WaitUntilAsync(time, arrival, slot.ResponseDelay, cancellationToken).ConfigureAwait(false);
                }

                var (framing, length) = head.ResponseBody(slot.ToHead);
                if (framing == BodyFraming.Invalid)
                {
                    pos = input.Length;
                    PassThroughBothWays();
                    break;
                }

                if (slot.Replace is not null)
                {
                    await SendToClientAsync(input[run..headStart], cancellationToken).ConfigureAwait(false);
                    run = headEnd;
                    var mayHaveBody = !slot.ToHead && head.Status is not ((>= 100 and < 200) or 204 or 304);
                    if (!slot.Replace.ChangesBody || framing == BodyFraming.UntilClose || !mayHaveBody)
                    {
                        // Only the head changes: it goes now, with its own framing, and the body streams on as it comes.
                        await SendToClientAsync(slot.Replace.Rewrite(head, null), cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        _replacingHead = head;
                        _replacingHeadBytes = input[headStart..headEnd].ToArray();
                        _replacingFraming = framing;
                        _replacingBody = new MemoryStream();
                    }
                }

                if (!_responses.StartBody(framing, length))
                {
                    await SendToClientAsync(input[run..pos], cancellationToken).ConfigureAwait(false);
                    run = pos;
                    if (await CompleteAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }

            await SendToClientAsync(input[run..pos], cancellationToken).ConfigureAwait(false);
            if (ServerPassThrough)
            {
                await SendToClientAsync(input[pos..], cancellationToken).ConfigureAwait(false);
                _serverHeld.Clear();
            }
            else
            {
                _serverHeld.KeepFrom(input, pos);
            }
        }
        finally
        {
            ClientWrite.Release();
        }
    }

    /// <summary>Which toxics act on the request: the longest delay drawn for each phase, the first abort and the first replace drawn.</summary>
    private (TimeSpan RequestDelay, TimeSpan ResponseDelay, HttpAbortToxic? Abort, HttpReplaceToxic? Replace) Decide(HttpHead request)
    {
        var toxics = Toxics;
        if (toxics.Length == 0)
        {
            return default;
        }

        var requestDelay = TimeSpan.Zero;
        var responseDelay = TimeSpan.Zero;
        HttpAbortToxic? abort = null;
        HttpReplaceToxic? replace = null;
        foreach (var toxic in toxics)
        {
            if (toxic is not HttpToxic http || !http.Matches(request) || !http.Draw())
            {
                continue;
            }

            switch (http)
            {
                case HttpDelayToxic { OnResponse: false } d:
                    requestDelay = Max(requestDelay, d.NextDelay());
                    break;
                case HttpDelayToxic d:
                    responseDelay = Max(responseDelay, d.NextDelay());
                    break;
                case HttpAbortToxic a:
                    abort ??= a;
                    break;
                case HttpReplaceToxic r:
                    replace ??= r;
                    break;
            }
        }

        return (requestDelay, responseDelay, abort, replace);
    }

    /// <summary>
    /// The server sent what the proxy cannot frame: responses can no longer be matched to
    /// requests, so the client side stops parsing too (its later requests are not answered by the
    /// proxy behind a response that will never be recognised).
    /// </summary>
    private void PassThroughBothWays()
    {
        ServerPassThrough = true;
        ClientPassThrough = true;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The head slot's response has come whole: sends its rewrite if it had one, then the proxy's own responses now at the head; true when one of those closed the connection.</summary>
    private async ValueTask<bool> CompleteAsync(CancellationToken cancellationToken)
    {
        HttpResponseSlot? done;
        var owed = new List<HttpResponseSlot>();
        lock (Gate)
        {
            Slots.TryDequeue(out done);
            while (Slots.TryPeek(out var next) && next.Synthesized is not null)
            {
                owed.Add(Slots.Dequeue());
            }
        }

        if (done?.Replace is { } replace && _replacingHead is { } head)
        {
            var body = _replacingBody is null ? null
                : _replacingFraming == BodyFraming.Chunked ? HttpFramer.Dechunk(_replacingBody.GetBuffer().AsSpan(0, (int)_replacingBody.Length))
                : _replacingBody.ToArray();
            await SendToClientAsync(replace.Rewrite(head, body), cancellationToken).ConfigureAwait(false);
        }

        (_replacingHead, _replacingBody, _replacingHeadBytes) = (null, null, []);
        foreach (var slot in owed)
        {
            await SendToClientAsync(slot.Synthesized, cancellationToken).ConfigureAwait(false);
            if (slot.CloseAfter)
            {
                close(false);
                return true;
            }
        }

        return false;
    }

}
