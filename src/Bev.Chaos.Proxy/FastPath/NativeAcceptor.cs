using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Bev.Chaos.Proxy.FastPath;

/// <summary>
/// Accepts a proxy's connections on a forwarding engine's thread: on each readiness edge of the
/// listener, <c>accept4(2)</c> until the queue is empty, handing each socket on at once. With
/// .NET's AcceptAsync every connection cost a hop from the runtime's socket thread to the thread
/// pool; here a toxic-free connection is accepted, connected and forwarded without one.
/// </summary>
internal sealed class NativeAcceptor : IReadinessHandler
{
    private const uint Events = Native.EpollIn | Native.EpollEdge;

    private readonly Lock _gate = new();
    private readonly ForwardingEngine _engine;
    private readonly Socket _listener;
    private readonly Action<Socket> _accepted;
    private readonly long _id = ForwardingEngine.NewId();
    private readonly int _fd;
    private bool _referenced;
    private bool _stopped;

    private NativeAcceptor(ForwardingEngine engine, Socket listener, Action<Socket> accepted)
    {
        _engine = engine;
        _listener = listener;
        _accepted = accepted;
        listener.Blocking = false;
        listener.SafeHandle.DangerousAddRef(ref _referenced);
        _fd = (int)listener.SafeHandle.DangerousGetHandle();
    }

    /// <summary>Starts accepting on <paramref name="listener"/>; null where the fast path does not run.</summary>
    public static NativeAcceptor? Start(Socket listener, Action<Socket> accepted)
    {
        if (ForwardingEngine.Next() is not { } engine)
        {
            return null;
        }

        var acceptor = new NativeAcceptor(engine, listener, accepted);
        lock (acceptor._gate)
        {
            if (!engine.Add(acceptor._fd, Events, acceptor._id, acceptor))
            {
                acceptor.StopLocked();
                return null;
            }
        }

        return acceptor;
    }

    /// <summary>Stops accepting; afterwards the listener can be closed.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            StopLocked();
        }
    }

    public void OnReady(uint events)
    {
        lock (_gate)
        {
            while (!_stopped)
            {
                var fd = Native.accept4(_fd, 0, 0, Native.SockCloexec);
                if (fd >= 0)
                {
                    var handle = new SafeSocketHandle(fd, ownsHandle: true);
                    Socket socket;
                    try
                    {
                        socket = new Socket(handle);
                    }
                    catch (SocketException)
                    {
                        // Gone already (reset while queued): drop it, take the next.
                        handle.Dispose();
                        continue;
                    }

                    _accepted(socket);
                    continue;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error is Native.EIntr or Native.ECONNABORTED)
                {
                    continue;
                }

                // EAGAIN: the queue is empty. Anything else (out of descriptors): the connection
                // waits in the queue, and the next one to arrive raises the next edge.
                return;
            }
        }
    }

    public void OnFault(Exception exception)
    {
        // Serving threw before its first await (it catches what it expects): the rest of the queue
        // is taken at the next edge.
    }

    private void StopLocked()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _engine.Remove(_fd, _id);
        if (_referenced)
        {
            _listener.SafeHandle.DangerousRelease();
            _referenced = false;
        }
    }
}
