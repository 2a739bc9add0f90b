using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Bev.Chaos.Proxy.FastPath;

/// <summary>
/// Connects a socket with a non-blocking <c>connect(2)</c> whose completion a forwarding engine
/// waits for. <see cref="Socket.ConnectAsync(EndPoint)"/> would put the socket in .NET's epoll set
/// for good, and every later edge of a forwarded connection would wake .NET's socket thread too.
/// </summary>
internal sealed class NativeConnect : IReadinessHandler
{
    private const int AfInet = 2;
    private const int AfInet6 = 10;

    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ForwardingEngine _engine;
    private readonly Socket _socket;
    private readonly long _id = ForwardingEngine.NewId();
    private int _fd = -1;

    private NativeConnect(ForwardingEngine engine, Socket socket)
    {
        _engine = engine;
        _socket = socket;
    }

    /// <summary>Connects <paramref name="socket"/> to <paramref name="endpoint"/> through <paramref name="engine"/>; through .NET where the fast path does not run (no engine).</summary>
    public static async Task ConnectAsync(Socket socket, IPEndPoint endpoint, ForwardingEngine? engine, CancellationToken cancellationToken)
    {
        if (engine is null)
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return;
        }

        var connect = new NativeConnect(engine, socket);
        await connect.RunAsync(endpoint, cancellationToken).ConfigureAwait(false);
    }

    public void OnReady(uint events)
    {
        _engine.Remove(_fd, _id);
        try
        {
            ThrowOnSocketError();
            _done.TrySetResult();
        }
        catch (SocketException ex)
        {
            _done.TrySetException(ex);
        }
    }

    public void OnFault(Exception exception)
    {
        _engine.Remove(_fd, _id);
        _done.TrySetException(exception);
    }

    private void ThrowOnSocketError()
    {
        var error = (SocketError)(int)_socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }
    }

    internal static byte[] SocketAddress(IPEndPoint endpoint)
    {
        // struct sockaddr_in / sockaddr_in6: family in host order, port in network order.
        var address = new byte[endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? 28 : 16];
        BinaryPrimitives.WriteUInt16LittleEndian(address, endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? (ushort)AfInet6 : (ushort)AfInet);
        BinaryPrimitives.WriteUInt16BigEndian(address.AsSpan(2), (ushort)endpoint.Port);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            endpoint.Address.TryWriteBytes(address.AsSpan(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(address.AsSpan(24), (uint)endpoint.Address.ScopeId);
        }
        else
        {
            endpoint.Address.TryWriteBytes(address.AsSpan(4, 4), out _);
        }

        return address;
    }

    private async Task RunAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        _socket.Blocking = false;
        var referenced = false;
        _socket.SafeHandle.DangerousAddRef(ref referenced);
        try
        {
            _fd = (int)_socket.SafeHandle.DangerousGetHandle();
            var address = SocketAddress(endpoint);
            int result;
            unsafe
            {
                fixed (byte* pointer = address)
                {
                    result = Native.connect(_fd, pointer, address.Length);
                }
            }

            if (result == 0)
            {
                return;
            }

            // Interrupted, a non-blocking connect goes on in the background just as one in progress.
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Native.EInProgress && errno != Native.EIntr)
            {
                throw new SocketException(ErrnoToSocketError(errno));
            }

            // On loopback the handshake is usually done by the time connect returns: a poll that
            // does not wait spares the engine a wake-up and the caller a thread hop.
            var writable = new Native.PollFd { Fd = _fd, Events = Native.PollOut };
            if (Native.poll(ref writable, 1, 0) == 1)
            {
                ThrowOnSocketError();
                return;
            }

            if (!_engine.Add(_fd, Native.EpollOut | Native.EpollEdge, _id, this))
            {
                throw new SocketException((int)SocketError.SocketError);
            }

            await using var registration = cancellationToken.Register(() =>
            {
                _engine.Remove(_fd, _id);
                _done.TrySetCanceled(cancellationToken);
            }).ConfigureAwait(false);
            await _done.Task.ConfigureAwait(false);
        }
        finally
        {
            if (referenced)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    // The errno values connect(2) gives at once, as .NET's SocketError (the rest come through SO_ERROR, already translated).
    private static int ErrnoToSocketError(int errno) => errno switch
    {
        111 => (int)SocketError.ConnectionRefused,
        101 => (int)SocketError.NetworkUnreachable,
        113 => (int)SocketError.HostUnreachable,
        99 => (int)SocketError.AddressNotAvailable,
        13 => (int)SocketError.AccessDenied,
        _ => (int)SocketError.SocketError,
    };
}
