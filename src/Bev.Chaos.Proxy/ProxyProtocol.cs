namespace Bev.Chaos.Proxy;

/// <summary>
/// What a proxy's connections speak. <see cref="Tcp"/> proxies move bytes and know nothing of
/// them; a protocol proxy parses every connection from its first byte, so that protocol toxics
/// (<c>redis_*</c>) can act per command, even on connections opened before the toxic came.
/// </summary>
public enum ProxyProtocol
{
    /// <summary>Plain L4 (Toxiproxy's only kind, and the default).</summary>
    Tcp,

    /// <summary>Redis' RESP2/RESP3: toxics act per command.</summary>
    Redis,
}

/// <summary>Names of <see cref="ProxyProtocol"/> as the APIs spell them.</summary>
public static class ProxyProtocols
{
    /// <summary>The names a request may give, in order.</summary>
    public const string Allowed = "tcp, redis";

    /// <summary>The API name of <paramref name="protocol"/>.</summary>
    public static string Name(this ProxyProtocol protocol) => protocol switch
    {
        ProxyProtocol.Redis => "redis",
        _ => "tcp",
    };

    /// <summary>Parses an API name; null means <see cref="ProxyProtocol.Tcp"/>. Anything else is a 400 naming the field.</summary>
    /// <exception cref="ProxyException">The name is not one of <see cref="Allowed"/>.</exception>
    public static ProxyProtocol Parse(string? name) => name switch
    {
        null or "tcp" => ProxyProtocol.Tcp,
        "redis" => ProxyProtocol.Redis,
        _ => throw ProxyException.BadField("protocol", $"protocol: '{name}' is not a protocol this proxy speaks (allowed: {Allowed})"),
    };
}
