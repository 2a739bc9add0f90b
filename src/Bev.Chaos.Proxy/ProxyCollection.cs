using System.Collections.Concurrent;

namespace Bev.Chaos.Proxy;

/// <summary>The proxies of one process, by name.</summary>
public sealed class ProxyCollection(TimeProvider? timeProvider = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ChaosProxy> _proxies = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _gate = new();

    public IReadOnlyList<ChaosProxy> All => _proxies.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Creates and (when enabled) starts a proxy; 400 for missing fields or bad addresses, 409 for a
    /// taken name or address. <paramref name="protocol"/> decides which protocol toxics it takes.
    /// </summary>
    public ChaosProxy Create(string? name, string? listen, string? upstream, bool enabled = true, int? seed = null, ProxyProtocol protocol = ProxyProtocol.Tcp)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw ProxyException.BadRequest("missing required field: name");
        }

        if (string.IsNullOrEmpty(upstream))
        {
            throw ProxyException.BadRequest("missing required field: upstream");
        }

        var listenAddress = string.IsNullOrEmpty(listen) ? "127.0.0.1:0" : listen;
        ChaosProxy.ParseEndpoint(listenAddress, "listen");
        lock (_gate)
        {
            if (_proxies.ContainsKey(name))
            {
                throw ProxyException.ProxyExists();
            }

            var proxy = new ChaosProxy(name, listenAddress, upstream, seed, _time, protocol);
            proxy.Update(null, upstream, enabled);
            _proxies[name] = proxy;
            return proxy;
        }
    }

    public ChaosProxy Get(string name) => _proxies.TryGetValue(name, out var proxy) ? proxy : throw ProxyException.ProxyNotFound();

    public bool TryGet(string name, out ChaosProxy proxy) => _proxies.TryGetValue(name, out proxy!);

    public async Task RemoveAsync(string name)
    {
        if (!_proxies.TryRemove(name, out var proxy))
        {
            throw ProxyException.ProxyNotFound();
        }

        await proxy.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Enables every proxy and removes every toxic (Toxiproxy's <c>POST /reset</c>).</summary>
    public void Reset()
    {
        foreach (var proxy in _proxies.Values)
        {
            proxy.ResetToxics();
            proxy.Update(null, null, enabled: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _proxies.Keys.ToList())
        {
            if (_proxies.TryRemove(name, out var proxy))
            {
                await proxy.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
