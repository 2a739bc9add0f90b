using System.Net.Sockets;

namespace Bev.Chaos.Proxy.Protocols;

/// <summary>
/// A protocol session whose server answers requests in order (HTTP/1.1 responses, Redis replies):
/// one slot per answer owed to the client, so an answer of the proxy's own goes out in its turn
/// between the server's, and the moment the session stops framing (pass-through) waits for the
/// answers already owed.
/// </summary>
/// <typeparam name="TSlot">What a session keeps per answer owed.</typeparam>
internal abstract class OrderedReplySession<TSlot>(Socket client, Socket server) : ProtocolSession(client, server)
{
    /// <summary>The answers owed to the client, oldest first; read and changed under <see cref="Gate"/>.</summary>
    protected Queue<TSlot> Slots { get; } = new();

    /// <summary>Guards <see cref="Slots"/>, and the switch to <see cref="ServerPassThrough"/> made against it.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>
    /// Held by whoever writes to the client: answers from the server and the proxy's own are
    /// ordered under it.
    /// </summary>
    protected SemaphoreSlim ClientWrite { get; } = new(1, 1);

    /// <summary>True once the client's bytes are no longer framed, only forwarded.</summary>
    protected bool ClientPassThrough { get; set; }

    /// <summary>True once the server's bytes are no longer framed, only forwarded.</summary>
    protected bool ServerPassThrough { get; set; }

    /// <summary>
    /// Sends <paramref name="answer"/> of the proxy's own now when nothing is owed before it (true),
    /// else queues <paramref name="slot"/> to send it in its turn (false).
    /// </summary>
    protected async ValueTask<bool> SendOrQueueAsync(TSlot slot, ReadOnlyMemory<byte> answer, CancellationToken cancellationToken)
    {
        await ClientWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            bool now;
            lock (Gate)
            {
                now = Slots.Count == 0;
                if (!now)
                {
                    Slots.Enqueue(slot);
                }
            }

            if (now)
            {
                await SendToClientAsync(answer, cancellationToken).ConfigureAwait(false);
            }

            return now;
        }
        finally
        {
            ClientWrite.Release();
        }
    }

    /// <summary>
    /// Stops framing the client's bytes. Answers owed from here on cannot be told apart, so the
    /// server side passes through once the ones already owed are out (<paramref name="marker"/> is
    /// queued behind them), or at once when none is.
    /// </summary>
    protected async ValueTask PassThroughFromHereAsync(TSlot marker, CancellationToken cancellationToken)
    {
        ClientPassThrough = true;
        await ClientWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (Gate)
            {
                if (Slots.Count == 0)
                {
                    ServerPassThrough = true;
                }
                else
                {
                    Slots.Enqueue(marker);
                }
            }
        }
        finally
        {
            ClientWrite.Release();
        }
    }
}
