namespace Bev.Chaos.Proxy;

/// <summary>Names of <see cref="ProxyProtocol"/> as the APIs spell them.</summary>
public static class ProxyProtocols
{
    /// <summary>The names a request may give, in order.</summary>
    public const string Allowed = "tcp, http, redis, postgres";

    /// <summary>The API name of <paramref name="protocol"/>.</summary>
    public static string Name(this ProxyProtocol protocol) => protocol switch
    {
        ProxyProtocol.Http => "http",
        ProxyProtocol.Redis => "redis",
        ProxyProtocol.Postgres => "postgres",
        _ => "tcp",
    };

    /// <summary>Parses an API name; null means <see cref="ProxyProtocol.Tcp"/>. Anything else is a 400 naming the field.</summary>
    /// <exception cref="ProxyException">The name is not one of <see cref="Allowed"/>.</exception>
    public static ProxyProtocol Parse(string? name) => name switch
    {
        null or "tcp" => ProxyProtocol.Tcp,
        "http" => ProxyProtocol.Http,
        "redis" => ProxyProtocol.Redis,
        "postgres" => ProxyProtocol.Postgres,
        _ => throw ProxyException.BadField("protocol", $"protocol: '{name}' is not a protocol this proxy speaks (allowed: {Allowed})"),
    };
}
