using System.Net.Sockets;

namespace Bev.Chaos.Proxy.FastPath;

/// <summary>
/// One socket of a proxied connection as a forwarding engine sees it. epoll takes a descriptor
/// once per set, yet a socket is the source of one link and the destination of the other, so the
/// socket is registered once (edge-triggered, readable and writable) while either link forwards,
/// and each edge goes to the link that reads from it or the one that writes to it. Both links of a
/// connection use the same engine.
/// </summary>
internal sealed class ForwardedSocket : IReadinessHandler
{
    private const uint Events = Native.EpollIn | Native.EpollOut | Native.EpollRdHup | Native.EpollEdge;
    private const uint ReadableEvents = Native.EpollIn | Native.EpollPri | Native.EpollRdHup | Native.EpollHup | Native.EpollErr;
    private const uint WritableEvents = Native.EpollOut | Native.EpollHup | Native.EpollErr;

    private readonly Lock _gate = new();
    private readonly long _id = ForwardingEngine.NewId();
    private ForwardingSession? _reader;
    private ForwardingSession? _writer;
    private int _fd = -1;

    public ForwardedSocket(Socket socket, ForwardingEngine? engine)
    {
        Socket = socket;
        Engine = engine;
        Runtime = new RuntimeEpollRegistration(socket);
    }

    public Socket Socket { get; }

    /// <summary>The engine of this socket's connection; null where the fast path does not run.</summary>
    public ForwardingEngine? Engine { get; }

    /// <summary>The socket's entry in .NET's own epoll set.</summary>
    public RuntimeEpollRegistration Runtime { get; }

    public void OnReady(uint events)
    {
        ForwardingSession? reader, writer;
        lock (_gate)
        {
            (reader, writer) = (_reader, _writer);
        }

        if ((events & ReadableEvents) != 0)
        {
            reader?.OnSourceReady(events);
        }

        if ((events & WritableEvents) != 0)
        {
            writer?.OnDestinationReady(events);
        }
    }

    public void OnFault(Exception exception)
    {
        ForwardingSession? reader, writer;
        lock (_gate)
        {
            (reader, writer) = (_reader, _writer);
        }

        reader?.OnFault(exception);
        writer?.OnFault(exception);
    }

    /// <summary>Sends this socket's edges (as reader: readability; else writability) to <paramref name="session"/>, which holds a reference on the socket's handle. The kernel reports the present state at once.</summary>
    public bool Attach(ForwardingSession session, int fd, bool asReader)
    {
        lock (_gate)
        {
            if (asReader)
            {
                _reader = session;
            }
            else
            {
                _writer = session;
            }

            if (_fd < 0)
            {
                _fd = fd;
                return Engine!.Add(_fd, Events, _id, this);
            }

            return Engine!.Rearm(_fd, Events, _id);
        }
    }

    /// <summary>Re-arms the registration, so the kernel reports the socket's present state again.</summary>
    public bool Rearm()
    {
        lock (_gate)
        {
            return _fd >= 0 && Engine!.Rearm(_fd, Events, _id);
        }
    }

    /// <summary>Stops sending edges to <paramref name="session"/>; the last session to go takes the socket out of the engine's set (while it still holds the handle).</summary>
    public void Detach(ForwardingSession session)
    {
        lock (_gate)
        {
            if (_reader == session)
            {
                _reader = null;
            }

            if (_writer == session)
            {
                _writer = null;
            }

            if (_reader is null && _writer is null && _fd >= 0)
            {
                Engine!.Remove(_fd, _id);
                _fd = -1;
            }
        }
    }
}
