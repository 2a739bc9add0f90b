namespace Bev.Chaos.Proxy;

/// <summary>A proxy or toxic request that cannot be honoured, with the HTTP status Toxiproxy uses for it.</summary>
public sealed class ProxyException(string message, int status) : Exception(message)
{
    /// <summary>400, 404 or 409.</summary>
    public int Status { get; } = status;

    public static ProxyException BadRequest(string message) => new(message, 400);

    public static ProxyException ProxyNotFound() => new("proxy not found", 404);

    public static ProxyException ProxyExists() => new("proxy already exists", 409);

    public static ProxyException ToxicNotFound() => new("toxic not found", 404);

    public static ProxyException ToxicExists() => new("toxic already exists", 409);
}
