using System.Net.Sockets;
using Bev.Chaos.Proxy.Toxics;

namespace Bev.Chaos.Proxy.Protocols;

/// <summary>
/// The protocol side of one connection of a protocol proxy: it receives what the links would
/// have written (client bytes bound for the server after the L4 toxics, server bytes bound for
/// the client) and writes them on itself, command by command, as the protocol toxics decide.
/// It is the only writer of both sockets while the connection lives, so replies it synthesizes
/// and replies from the server reach the client in command order.
/// </summary>
internal abstract class ProtocolSession(Socket client, Socket server)
{
    private volatile Toxic[] _toxics = [];

    /// <summary>The protocol toxics now on the proxy, in chain order; read once per command.</summary>
    protected Toxic[] Toxics => _toxics;

    /// <summary>Creates the session for <paramref name="protocol"/>, or null for plain TCP; <paramref name="close"/> ends the connection, gracefully (false) or with a TCP RST (true).</summary>
    public static ProtocolSession? For(ProxyProtocol protocol, Socket client, Socket server, TimeProvider time, Action<bool> close) => protocol switch
    {
        ProxyProtocol.Http => new Http.HttpSession(client, server, time, close),
        ProxyProtocol.Redis => new Redis.RedisSession(client, server, time),
        ProxyProtocol.Postgres => new Postgres.PostgresSession(client, server, time, () => close(false)),
        _ => null,
    };

    /// <summary>Takes the proxy's new toxic chain; the next command parsed sees it.</summary>
    public void Refresh(IReadOnlyList<Toxic> toxics) => _toxics = toxics.Where(t => t.IsProtocol).ToArray();

    /// <summary>Bytes the client sent, in order, after the upstream L4 toxics.</summary>
    public abstract ValueTask FromClientAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Bytes the server sent, in order, after the downstream L4 toxics.</summary>
    public abstract ValueTask FromServerAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Waits until <paramref name="delay"/> after <paramref name="arrival"/>: as the latency toxic, never early, though timers may wake a tick before their time.</summary>
    protected static async ValueTask WaitUntilAsync(TimeProvider time, long arrival, TimeSpan delay, CancellationToken cancellationToken)
    {
        var wait = delay - time.GetElapsedTime(arrival);
        while (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromMilliseconds(1), time, cancellationToken).ConfigureAwait(false);
            wait = delay - time.GetElapsedTime(arrival);
        }
    }

    protected static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    protected ValueTask SendToClientAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => SendAllAsync(client, data, cancellationToken);

    protected ValueTask SendToServerAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => SendAllAsync(server, data, cancellationToken);
}
