using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bev.Chaos.Proxy.FastPath;
using Bev.Chaos.Proxy.Toxics;

namespace Bev.Chaos.Proxy;

/// <summary>
/// One TCP proxy: a listener, the upstream it forwards to, and a chain of toxics that every
/// connection's links follow — changes apply to open connections. Disabled, it is a partition:
/// the listener is closed and every connection cut.
/// </summary>
public sealed class ChaosProxy : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ProxyConnection, byte> _connections = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ForwardedBytes _forwarded = new();
    private Toxic[] _toxics = [];
    private Socket? _listener;
    private NativeAcceptor? _acceptor;
    private Task? _acceptLoop;

    internal ChaosProxy(string name, string listen, string upstream, int? seed, TimeProvider time, ProxyProtocol protocol = ProxyProtocol.Tcp)
    {
        Protocol = protocol;
        Name = name;
        Listen = listen;
        Upstream = upstream;
        Seed = seed;
        _time = time;
        _random = seed is { } s ? new Random(s) : new Random();
    }

    public string Name { get; }

    /// <summary>The listen address; after start, with the port actually bound.</summary>
    public string Listen { get; private set; }

    public string Upstream { get; private set; }

    /// <summary>What the connections speak: <see cref="ProxyProtocol.Tcp"/> (bytes only) or a protocol its toxics parse.</summary>
    public ProxyProtocol Protocol { get; }

    public bool Enabled => _listener is not null;

    /// <summary>Seed of every random choice (toxicity, jitter, slice sizes), for replayable runs.</summary>
    public int? Seed { get; }

    /// <summary>Bytes this proxy's toxic-free links have moved on the fast path.</summary>
    internal long BytesOnFastPath => _forwarded.Count;

    /// <summary>Connections open now.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>The toxics, in chain order.</summary>
    public IReadOnlyList<ToxicDefinition> Toxics => Volatile.Read(ref _toxics).Select(t => t.Definition).ToList();

    /// <summary>What each toxic has done, by toxic name.</summary>
    public IReadOnlyDictionary<string, ToxicCounters> Counters => Volatile.Read(ref _toxics).ToDictionary(t => t.Definition.Name, t => t.Counters);

    /// <summary>Opens the listener. A listen address in use is a 409.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var endpoint = ParseEndpoint(Listen, "listen");
            var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            Api.ReusableListenSocket.AllowTimeWaitRebind(listener);
            try
            {
                listener.Bind(endpoint);
                listener.Listen(4096);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                listener.Dispose();
                throw new ProxyException($"listen address already in use: {Listen}", 409);
            }
            catch (SocketException ex)
            {
                listener.Dispose();
                throw ProxyException.BadRequest($"cannot listen on {Listen}: {ex.Message}");
            }

            var bound = (IPEndPoint)listener.LocalEndPoint!;
            Listen = bound.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bound.Address}]:{bound.Port}" : $"{bound.Address}:{bound.Port}";
            _listener = listener;
            _acceptor = NativeAcceptor.Start(listener, client => _ = ServeAsync(client));
            if (_acceptor is null)
            {
                _acceptLoop = AcceptLoopAsync(listener);
            }
        }
    }

    /// <summary>Closes the listener and cuts every connection.</summary>
    public void Stop()
    {
        Socket? listener;
        NativeAcceptor? acceptor;
        lock (_gate)
        {
            (listener, acceptor) = (_listener, _acceptor);
            (_listener, _acceptor) = (null, null);
        }

        acceptor?.Stop();
        listener?.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Close(reset: false);
        }
    }

    /// <summary>Changes listen, upstream or enabled, like Toxiproxy's PATCH.</summary>
    public void Update(string? listen, string? upstream, bool? enabled)
    {
        var restart = (listen is not null && listen != Listen) || (upstream is not null && upstream != Upstream);
        if (upstream is not null)
        {
            ParseEndpointOrHost(upstream, "upstream");
        }

        if (restart && Enabled)
        {
            Stop();
        }

        Listen = listen ?? Listen;
        Upstream = upstream ?? Upstream;
        if (enabled ?? (restart || Enabled))
        {
            Start();
        }
        else
        {
            Stop();
        }
    }

    /// <summary>Adds a toxic; 409 when the name is taken, 400 when its type needs a protocol this proxy does not speak.</summary>
    public ToxicDefinition AddToxic(ToxicDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        CheckProtocol(definition.Type);
        lock (_gate)
        {
            if (_toxics.Any(t => t.Definition.Name == definition.Name))
            {
                throw ProxyException.ToxicExists();
            }

            Publish([.. _toxics, ToxicTypes.Create(definition)]);
            return definition;
        }
    }

    public ToxicDefinition UpdateToxic(string name, Func<ToxicDefinition, ToxicDefinition> update)
    {
        lock (_gate)
        {
            var index = Array.FindIndex(_toxics, t => t.Definition.Name == name);
            if (index < 0)
            {
                throw ProxyException.ToxicNotFound();
            }

            var old = _toxics[index];
            var updated = update(old.Definition);
            var next = _toxics.ToArray();
            next[index] = ToxicTypes.Create(updated, old.Counters);
            Publish(next);
            return updated;
        }
    }

    public void RemoveToxic(string name)
    {
        lock (_gate)
        {
            if (!_toxics.Any(t => t.Definition.Name == name))
            {
                throw ProxyException.ToxicNotFound();
            }

            Publish(_toxics.Where(t => t.Definition.Name != name).ToArray());
        }
    }

    public ToxicDefinition GetToxic(string name) =>
        Volatile.Read(ref _toxics).FirstOrDefault(t => t.Definition.Name == name)?.Definition ?? throw ProxyException.ToxicNotFound();

    /// <summary>Removes every toxic.</summary>
    public void ResetToxics()
    {
        lock (_gate)
        {
            Publish([]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        if (_acceptLoop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }
    }

    private void CheckProtocol(string type)
    {
        if (ToxicTypes.ProtocolOf(type) is { } needed && needed != Protocol)
        {
            throw ProxyException.BadField("type", $"type: '{type}' needs a proxy with protocol {needed.Name()}, and proxy '{Name}' has protocol {Protocol.Name()} (allowed on it: {string.Join(", ", ToxicTypes.Names.Where(t => ToxicTypes.ProtocolOf(t) is null || ToxicTypes.ProtocolOf(t) == Protocol))})");
        }
    }

    private void Publish(Toxic[] toxics)
    {
        Volatile.Write(ref _toxics, toxics);
        foreach (var connection in _connections.Keys)
        {
            connection.Refresh(toxics);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        client.NoDelay = true;
        Socket? upstream = null;
        var engine = ForwardingEngine.Next();
        try
        {
            LoopbackSocketBuffers.Apply(client, client.RemoteEndPoint);
            var endpoint = await ResolveAsync(Upstream).ConfigureAwait(false);
            upstream = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            LoopbackSocketBuffers.Apply(upstream, endpoint);
            await NativeConnect.ConnectAsync(upstream, endpoint, engine, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ProxyException)
        {
            upstream?.Dispose();
            client.Dispose();
            return;
        }

        Random random;
        lock (_random)
        {
            random = new Random(_random.Next());
        }

        var connection = new ProxyConnection(client, upstream, engine, _forwarded, random, _time, Protocol);
        _connections[connection] = 0;
        connection.Refresh(Volatile.Read(ref _toxics));
        if (!Enabled)
        {
            connection.Close(reset: false);
        }

        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }

    internal static IPEndPoint ParseEndpoint(string text, string field)
    {
        var value = text.StartsWith(':') ? "127.0.0.1" + text : text;
        if (value.StartsWith("localhost:", StringComparison.Ordinal))
        {
            value = "127.0.0.1:" + value["localhost:".Length..];
        }

        return IPEndPoint.TryParse(value, out var endpoint) && value.Contains(':', StringComparison.Ordinal)
            ? endpoint
            : throw ProxyException.BadRequest($"{field}: '{text}' is not an address (allowed: HOST:PORT, e.g. 127.0.0.1:26379)");
    }

    private static void ParseEndpointOrHost(string text, string field)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw ProxyException.BadRequest($"{field}: '{text}' is not an address (allowed: HOST:PORT, e.g. 127.0.0.1:6379)");
        }
    }

    private static async Task<IPEndPoint> ResolveAsync(string text)
    {
        if (IPEndPoint.TryParse(text, out var endpoint) && text.Contains(':', StringComparison.Ordinal))
        {
            return endpoint;
        }

        var colon = text.LastIndexOf(':');
        var addresses = await Dns.GetHostAddressesAsync(text[..colon]).ConfigureAwait(false);
        return addresses.Length == 0
            ? throw ProxyException.BadRequest($"upstream: '{text}' does not resolve")
            : new IPEndPoint(addresses[0], int.Parse(text.AsSpan(colon + 1), CultureInfo.InvariantCulture));
    }
}
