using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Bev.Chaos.Server;

/// <summary>
/// Answers <c>GET /openapi.json</c> from the bytes it answered the first time: the document is the
/// same for the process's whole life (its endpoints never change), but ASP.NET generates it anew on
/// every request (bench/RESULTS.md: 0.09× a bare endpoint serving the same bytes). Kept per scheme
/// and host, since the document names the server it was asked through; runs after the access
/// checks, so a cached answer is never given where the first one would have been refused.
/// </summary>
internal sealed class OpenApiDocumentCache
{
    // Only hosts the listener guard let through get here; the bound is for safety's sake.
    private const int MaxHosts = 16;

    private readonly ConcurrentDictionary<string, (string? ContentType, byte[] Body)> _byHost = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The path the document is served at.</summary>
    public const string Path = "/openapi.json";

    /// <summary>The middleware: cached bytes when there are some, else the generated document, kept.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !context.Request.Path.Equals(Path, StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var key = context.Request.Scheme + "://" + context.Request.Host.Value;
        if (_byHost.TryGetValue(key, out var cached))
        {
            context.Response.ContentType = cached.ContentType;
            context.Response.ContentLength = cached.Body.Length;
            await context.Response.Body.WriteAsync(cached.Body, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = buffer.ToArray();
        if (context.Response.StatusCode == StatusCodes.Status200OK && _byHost.Count < MaxHosts)
        {
            _byHost.TryAdd(key, (context.Response.ContentType, body));
        }

        context.Response.ContentLength = body.Length;
        await original.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
