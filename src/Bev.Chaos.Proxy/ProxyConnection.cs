using System.Net.Sockets;
using Bev.Chaos.Proxy.FastPath;
using Bev.Chaos.Proxy.Protocols;
using Bev.Chaos.Proxy.Toxics;

namespace Bev.Chaos.Proxy;

/// <summary>A client connection and its upstream connection, joined by two links.</summary>
internal sealed class ProxyConnection
{
    private readonly Socket _client;
    private readonly Socket _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ProtocolSession? _session;
    private int _closed;

    public ProxyConnection(Socket client, Socket upstream, ForwardingEngine? engine, ForwardedBytes forwarded, Random random, TimeProvider time, ProxyProtocol protocol = ProxyProtocol.Tcp)
    {
        _session = ProtocolSession.For(protocol, client, upstream, time, reset => Close(reset));
        Forwarded = forwarded;
        _client = client;
        _upstream = upstream;
        var forwardedClient = new ForwardedSocket(client, engine);
        var forwardedUpstream = new ForwardedSocket(upstream, engine);
        Upstream = new ProxyLink(this, ToxicStream.Upstream, forwardedClient, forwardedUpstream, random, time, _session);
        Downstream = new ProxyLink(this, ToxicStream.Downstream, forwardedUpstream, forwardedClient, random, time, _session);
    }

    public ProxyLink Upstream { get; }

    /// <summary>The proxy's count of bytes moved on the fast path.</summary>
    public ForwardedBytes Forwarded { get; }

    public ProxyLink Downstream { get; }

    public void Refresh(IReadOnlyList<Toxic> toxics)
    {
        _session?.Refresh(toxics);
        Upstream.Refresh(toxics);
        Downstream.Refresh(toxics);
    }

    public async Task RunAsync()
    {
        await Task.WhenAll(Upstream.RunAsync(_stop.Token), Downstream.RunAsync(_stop.Token)).ConfigureAwait(false);
        Close(reset: false);

        // Disposed only once no operation is pending on them: .NET closes a socket with a pending
        // operation abortively (RST), which must happen only when a toxic asks for it.
        _client.Dispose();
        _upstream.Dispose();
        _stop.Dispose();
    }

    /// <summary>Ends the connection on both sides: gracefully (FIN), or with a TCP RST.</summary>
    public void Close(bool reset)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        foreach (var socket in new[] { _client, _upstream })
        {
            try
            {
                if (reset)
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                else
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }

        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
