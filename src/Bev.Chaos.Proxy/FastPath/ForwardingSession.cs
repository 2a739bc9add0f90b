using System.Net.Sockets;

namespace Bev.Chaos.Proxy.FastPath;

/// <summary>
/// One link's run on the fast path: bytes from the source socket to the destination, read into an
/// engine buffer and sent on, until the source ends, a socket fails or <see cref="Stop"/> (a toxic
/// arrived) — and then only once everything read has been written, so leaving the fast path loses
/// and reorders nothing. Edges come through the connection's <see cref="ForwardedSocket"/>s: the
/// source's readability, the destination's writability. A read shorter than the buffer drained the
/// socket, and new data raises a new edge, so no read is spent just to hear EAGAIN (once the
/// source's end or an error has been reported, reads go on until recv reports it). The sockets'
/// handles are referenced for the run, so their descriptors cannot be closed and reused under it;
/// an error on either socket, or a hang-up of the destination, ends the run at once, since a close
/// of a referenced socket waits for the run to let go.
/// </summary>
internal sealed class ForwardingSession
{
    // Completed outside the session's lock, with the link's continuation run inline: on the engine's
    // thread, a connection that ends closes without a hop to the thread pool.
    private readonly TaskCompletionSource<ForwardingOutcome> _done = new();
    private readonly Lock _gate = new();
    private readonly ForwardedSocket _sourceSocket;
    private readonly ForwardedSocket _destinationSocket;
    private readonly ForwardingEngine _engine;
    private readonly ForwardedBytes _forwarded;
    private int _source = -1;
    private int _destination = -1;
    private bool _sourceReferenced;
    private bool _destinationReferenced;
    private bool _finished;
    private volatile bool _stop;
    private byte[]? _buffer;
    private int _offset;
    private int _count;
    private bool _drained;
    private bool _sourceEnding;
    private bool _broken;
    private ForwardingOutcome? _outcome;

    private ForwardingSession(ForwardedSocket source, ForwardedSocket destination, ForwardingEngine engine, ForwardedBytes forwarded)
    {
        _sourceSocket = source;
        _destinationSocket = destination;
        _engine = engine;
        _forwarded = forwarded;
    }

    public Task<ForwardingOutcome> Completion => _done.Task;

    /// <summary>Starts forwarding; null when the fast path does not run here or a socket is already gone.</summary>
    public static ForwardingSession? Start(ForwardedSocket source, ForwardedSocket destination, ForwardedBytes forwarded)
    {
        if (source.Engine is not { } engine)
        {
            return null;
        }

        var session = new ForwardingSession(source, destination, engine, forwarded);
        return session.Open() ? session : null;
    }

    /// <summary>Asks the run to end once everything read has been written.</summary>
    public void Stop()
    {
        _stop = true;
        lock (_gate)
        {
            // Re-arming the destination makes the engine look at the session at once (a socket with
            // room to write reports so straight away); one that is full reports when it drains.
            if (!_finished && !_destinationSocket.Rearm())
            {
                Finish(ForwardingOutcome.Failed);
            }
        }

        Complete();
    }

    public void OnSourceReady(uint events)
    {
        if ((events & (Native.EpollRdHup | Native.EpollHup | Native.EpollErr)) != 0)
        {
            // The end or an error has arrived, and its edge is this one: from now on read until
            // recv says so, since no later edge will come to report it.
            _sourceEnding = true;
        }

        _broken |= (events & Native.EpollErr) != 0;
        Pump(destinationReady: false);
    }

    public void OnDestinationReady(uint events)
    {
        // An error, or both directions shut while this link still writes: the connection is being
        // reset or closed (a close waits for this run to let go of the sockets).
        _broken |= (events & (Native.EpollErr | Native.EpollHup)) != 0;
        Pump(destinationReady: true);
    }

    public void OnFault(Exception exception)
    {
        lock (_gate)
        {
            Finish(ForwardingOutcome.Failed);
        }

        Complete();
    }

    private bool Open()
    {
        try
        {
            _sourceSocket.Socket.SafeHandle.DangerousAddRef(ref _sourceReferenced);
            _destinationSocket.Socket.SafeHandle.DangerousAddRef(ref _destinationReferenced);
        }
        catch (ObjectDisposedException)
        {
            ReleaseHandles();
            return false;
        }

        _source = (int)_sourceSocket.Socket.SafeHandle.DangerousGetHandle();
        _destination = (int)_destinationSocket.Socket.SafeHandle.DangerousGetHandle();

        // While the fast path has them, .NET's own epoll need not hear these sockets' edges.
        _sourceSocket.Runtime.Silence(RuntimeEpollRegistration.Readable);
        _destinationSocket.Runtime.Silence(RuntimeEpollRegistration.Writable);
        lock (_gate)
        {
            if (!_sourceSocket.Attach(this, _source, asReader: true) || !_destinationSocket.Attach(this, _destination, asReader: false))
            {
                Finish(ForwardingOutcome.Failed);
                return false;
            }
        }

        return true;
    }

    private void Pump(bool destinationReady)
    {
        PumpLocked(destinationReady);
        Complete();
    }

    private void Complete()
    {
        if (_outcome is { } outcome)
        {
            _done.TrySetResult(outcome);
        }
    }
    private void PumpLocked(bool destinationReady)
    {
        lock (_gate)
        {
            // An edge that changes nothing: room to write with nothing to write, or data to read
            // while still waiting to write what was read before.
            if (_broken)
            {
                Finish(ForwardingOutcome.Failed);
                return;
            }

            if (_finished || (destinationReady ? _count == 0 && !_stop : _count > 0))
            {
                return;
            }

            while (true)
            {
                if (_count > 0)
                {
                    var sent = Send();
                    if (sent > 0)
                    {
                        _offset += (int)sent;
                        _count -= (int)sent;
                        _forwarded.Add(sent);
                        if (_count == 0 && _drained && !_stop)
                        {
                            ReturnBuffer();
                            return;
                        }

                        continue;
                    }

                    if (Interrupted(sent))
                    {
                        continue;
                    }

                    if (WouldBlock(sent))
                    {
                        // Blocked: the source's edges pass by meanwhile, so read again once written.
                        _drained = false;
                        return;
                    }

                    Finish(ForwardingOutcome.Failed);
                    return;
                }

                if (_stop)
                {
                    Finish(ForwardingOutcome.Stopped);
                    return;
                }

                _buffer ??= _engine.RentBuffer();
                var read = Receive();
                if (read > 0)
                {
                    _offset = 0;
                    _count = (int)read;
                    _drained = read < _buffer.Length && !_sourceEnding;
                    continue;
                }

                if (read == 0)
                {
                    Finish(ForwardingOutcome.EndOfStream);
                    return;
                }

                if (Interrupted(read))
                {
                    continue;
                }

                if (WouldBlock(read))
                {
                    ReturnBuffer();
                    return;
                }

                Finish(ForwardingOutcome.Failed);
                return;
            }
        }
    }

    private unsafe nint Send()
    {
        fixed (byte* data = &_buffer![_offset])
        {
            return Native.send(_destination, data, (nuint)_count, Native.MsgDontWait | Native.MsgNoSignal);
        }
    }

    private unsafe nint Receive()
    {
        fixed (byte* data = _buffer)
        {
            return Native.recv(_source, data, (nuint)_buffer!.Length, Native.MsgDontWait);
        }
    }

    private static bool Interrupted(nint result) => result < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Native.EIntr;

    private static bool WouldBlock(nint result) => result < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Native.EAgain;

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            _engine.ReturnBuffer(_buffer);
            _buffer = null;
        }
    }

    private void Finish(ForwardingOutcome outcome)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        _sourceSocket.Detach(this);
        _destinationSocket.Detach(this);
        ReturnBuffer();
        _sourceSocket.Runtime.Restore(RuntimeEpollRegistration.Readable);
        _destinationSocket.Runtime.Restore(RuntimeEpollRegistration.Writable);
        ReleaseHandles();
        _outcome = outcome;
    }

    private void ReleaseHandles()
    {
        if (_sourceReferenced)
        {
            _sourceSocket.Socket.SafeHandle.DangerousRelease();
            _sourceReferenced = false;
        }

        if (_destinationReferenced)
        {
            _destinationSocket.Socket.SafeHandle.DangerousRelease();
            _destinationReferenced = false;
        }
    }
}
