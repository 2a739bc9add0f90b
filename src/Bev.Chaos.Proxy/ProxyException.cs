namespace Bev.Chaos.Proxy;

/// <summary>A proxy or toxic request that cannot be honoured, with the HTTP status Toxiproxy uses for it.</summary>
public sealed class ProxyException(string message, int status) : Exception(message)
{
    /// <summary>400, 404, 409, or 413 for a body over the limit.</summary>
    public int Status { get; } = status;

    /// <summary>The request field at fault (<c>name</c>, <c>listen</c>, …), when one is; the error body names it.</summary>
    public string? Field { get; init; }

    /// <summary>The value at fault, when there is one to name.</summary>
    public string? Value { get; init; }

    public static ProxyException BadRequest(string message) => new(message, 400);

    /// <summary>A 400 naming the field at fault.</summary>
    public static ProxyException BadField(string field, string message) => new(message, 400) { Field = field };

    public static ProxyException ProxyNotFound() => new("proxy not found", 404);

    public static ProxyException ProxyExists() => new("proxy already exists", 409);

    public static ProxyException ToxicNotFound() => new("toxic not found", 404);

    public static ProxyException ToxicExists() => new("toxic already exists", 409);
}
