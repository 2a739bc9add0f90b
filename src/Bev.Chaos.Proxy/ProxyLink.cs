using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;
using Bev.Chaos.Proxy.FastPath;
using Bev.Chaos.Proxy.Protocols;
using Bev.Chaos.Proxy.Toxics;

namespace Bev.Chaos.Proxy;

/// <summary>
/// One direction of one proxied connection. While no toxic applies, the link runs on the fast path
/// (<see cref="ForwardingSession"/>: a forwarding engine's thread moves the bytes). With toxics, a
/// reader takes data from the source the moment it arrives (timestamped) and queues the chunk for
/// the writer, which runs it through the toxic chain. Toxics are attached and detached while the
/// connection stays open; when the last one goes, the link returns to the fast path once its queue
/// is empty. No buffer is held while the source is idle: on the toxic path each read starts with a
/// zero-byte read and rents only when data is there. On a protocol proxy the link never takes the
/// fast path (the session must see every byte from the first) and hands what it would write to the
/// connection's <see cref="ProtocolSession"/>, which writes it command by command.
/// </summary>
internal sealed class ProxyLink
{
    private const int BufferSize = 256 * 1024;
    private static readonly Attached[] None = [];

    private readonly Socket _source;
    private readonly Socket _destination;
    private readonly ForwardedSocket _forwardedSource;
    private readonly ForwardedSocket _forwardedDestination;
    private readonly Random _random;
    private readonly Channel<Chunk> _queue = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
    private readonly Lock _gate = new();
    private readonly HashSet<Toxic> _declined = [];
    private readonly ProtocolSession? _session;
    private volatile Attached[] _attached = None;
    private volatile ForwardingSession? _forwarding;
    private Task? _writer;
    private int _pending;

    public ProxyLink(
        ProxyConnection connection,
        ToxicStream direction,
        ForwardedSocket source,
        ForwardedSocket destination,
        Random random,
        TimeProvider time,
        ProtocolSession? session = null)
    {
        _session = session;
        Connection = connection;
        Direction = direction;
        (_source, _forwardedSource) = (source.Socket, source);
        (_destination, _forwardedDestination) = (destination.Socket, destination);
        _random = random;
        Time = time;
    }

    public ProxyConnection Connection { get; }

    public ToxicStream Direction { get; }

    public TimeProvider Time { get; }

    public double NextRandom()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }

    /// <summary>Brings the link's toxics in line with the proxy's: attaches new ones (by toxicity), detaches removed ones.</summary>
    public void Refresh(IReadOnlyList<Toxic> toxics)
    {
        lock (_gate)
        {
            // Protocol toxics act in the session, per command; only L4 toxics attach to a link.
            var mine = toxics.Where(t => t.Definition.Stream == Direction && !t.IsProtocol).ToList();
            var next = new List<Attached>();
            foreach (var toxic in mine)
            {
                var existing = Array.Find(_attached, a => a.Toxic == toxic);
                if (existing is not null)
                {
                    next.Add(existing);
                }
                else if (!_declined.Contains(toxic))
                {
                    if (NextRandom() < toxic.Definition.Toxicity)
                    {
                        var attached = new Attached(toxic, toxic.CreateState());
                        toxic.Counters.AddConnection();
                        toxic.OnAttach(this, attached.State);
                        next.Add(attached);
                    }
                    else
                    {
                        _declined.Add(toxic);
                    }
                }
            }

            foreach (var gone in _attached.Where(a => !mine.Contains(a.Toxic)))
            {
                gone.Toxic.OnDetach(this, gone.State);
            }

            _declined.IntersectWith(mine);
            _attached = next.Count == 0 ? None : [.. next];
            if (next.Count > 0)
            {
                _forwarding?.Stop();
            }
        }
    }

    /// <summary>Runs the link until the source closes or the connection ends.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadLoopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            Connection.Close(reset: false);
        }
        finally
        {
            _queue.Writer.TryComplete();
        }

        // The writer passes the end of stream on (after a slow_close delay); a link that never
        // queued a chunk starts it only now, and it finishes at once.
        await (_writer ?? WriteLoopAsync(cancellationToken)).ConfigureAwait(false);
    }

    public async ValueTask<int> WriteToDestinationAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_session is null)
        {
            return await _destination.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }

        await SendAllAsync(data, cancellationToken).ConfigureAwait(false);
        return data.Length;
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_attached.Length == 0 && Volatile.Read(ref _pending) == 0 && _session is null)
            {
                switch (await ForwardAsync(cancellationToken).ConfigureAwait(false))
                {
                    case ForwardingOutcome.EndOfStream:
                        return;
                    case ForwardingOutcome.Failed:
                        throw new IOException("forwarding failed");
                    default:
                        // Stopped (a toxic arrived), or no fast path here: on through .NET's sockets.
                        break;
                }
            }

            _forwardedSource.Runtime.MarkUsedByRuntime();
            _forwardedDestination.Runtime.MarkUsedByRuntime();

            // An idle link holds no buffer: it waits with a zero-byte read and rents only when data is there.
            await _source.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            int read;
            try
            {
                read = await _source.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }

            if (read == 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return;
            }

            if (_attached.Length == 0 && Volatile.Read(ref _pending) == 0)
            {
                try
                {
                    await SendAllAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                continue;
            }

            _writer ??= WriteLoopAsync(cancellationToken);
            Interlocked.Increment(ref _pending);
            await _queue.Writer.WriteAsync(new Chunk(buffer, read, Time.GetTimestamp()), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var chunk in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var close = false;
                try
                {
                    var attached = _attached;
                    SlicerToxic? slicer = null;
                    foreach (var a in attached)
                    {
                        if (await a.Toxic.OnChunkAsync(this, chunk, a.State, cancellationToken).ConfigureAwait(false) == ChunkVerdict.PassThenClose)
                        {
                            close = true;
                        }

                        slicer ??= a.Toxic as SlicerToxic;
                    }

                    if (slicer is not null)
                    {
                        await slicer.WriteAsync(this, chunk, cancellationToken).ConfigureAwait(false);
                    }
                    else if (chunk.Length > 0)
                    {
                        await SendAllAsync(chunk.Buffer.AsMemory(0, chunk.Length), cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk.Buffer);
                    Interlocked.Decrement(ref _pending);
                }

                if (close)
                {
                    Connection.Close(reset: false);
                    return;
                }
            }

            var closeDelay = _attached.Select(a => a.Toxic.CloseDelay).DefaultIfEmpty(TimeSpan.Zero).Max();
            if (closeDelay > TimeSpan.Zero)
            {
                await Task.Delay(closeDelay, Time, cancellationToken).ConfigureAwait(false);
            }

            _destination.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException or ChannelClosedException)
        {
            Connection.Close(reset: false);
        }
        finally
        {
            while (_queue.Reader.TryRead(out var left))
            {
                ArrayPool<byte>.Shared.Return(left.Buffer);
            }

            lock (_gate)
            {
                foreach (var a in _attached)
                {
                    a.Toxic.OnDetach(this, a.State);
                }

                _attached = None;
            }
        }
    }

    private async Task<ForwardingOutcome?> ForwardAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        var session = ForwardingSession.Start(_forwardedSource, _forwardedDestination, Connection.Forwarded);
        if (session is null)
        {
            return null;
        }

        _forwarding = session;
        if (_attached.Length > 0)
        {
            session.Stop();
        }

        ForwardingOutcome outcome;
        using (cancellationToken.Register(session.Stop))
        {
            outcome = await session.Completion.ConfigureAwait(false);
        }

        _forwarding = null;
        if (outcome != ForwardingOutcome.EndOfStream)
        {
            // The run ended on the engine's thread or on whoever stopped it: the toxic lane goes on
            // from the thread pool.
            await Task.Yield();
        }

        return outcome;
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            await (Direction == ToxicStream.Upstream ? _session.FromClientAsync(data, cancellationToken) : _session.FromServerAsync(data, cancellationToken)).ConfigureAwait(false);
            return;
        }

        while (!data.IsEmpty)
        {
            var sent = await _destination.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private sealed record Attached(Toxic Toxic, object? State);
}
