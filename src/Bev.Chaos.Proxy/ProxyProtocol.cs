namespace Bev.Chaos.Proxy;

/// <summary>
/// What a proxy's connections speak. <see cref="Tcp"/> proxies move bytes and know nothing of
/// them; a protocol proxy parses every connection from its first byte, so that protocol toxics
/// (<c>http_*</c>, <c>redis_*</c>, <c>postgres_*</c>) can act per command, even on connections opened before the toxic came.
/// </summary>
public enum ProxyProtocol
{
    /// <summary>Plain L4 (Toxiproxy's only kind, and the default).</summary>
    Tcp,

    /// <summary>HTTP/1.1 (keep-alive, pipelining, chunked bodies; upgrades passed through): toxics act per request.</summary>
    Http,

    /// <summary>Redis' RESP2/RESP3: toxics act per command.</summary>
    Redis,

    /// <summary>PostgreSQL's frontend/backend protocol 3: toxics act per query (simple or extended).</summary>
    Postgres,
}
