using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Bev.Chaos.Proxy.Api;

/// <summary>
/// The one access check every HTTP listener of ours runs first (docs/security.md):
/// <list type="number">
/// <item>DNS rebinding: the <c>Host</c> header must name the address the request came in on, or a
/// loopback name (<c>127.0.0.1</c>, <c>localhost</c>, <c>[::1]</c>) on a loopback listener;</item>
/// <item>cross-site requests: an <c>Origin</c> header must be our own (<c>http://</c> + the Host);</item>
/// <item>tokens, when configured: 401 without a valid one, 403 when its role is too low;</item>
/// <item>a mutating request with a body must say it is JSON (browsers cannot send that cross-site
/// without asking first), unless it carries a valid token;</item>
/// <item>every mutating request, allowed or not, goes to the audit callback.</item>
/// </list>
/// A valid bearer token also lifts the Host check: a rebinding page cannot present one.
/// </summary>
public static class ListenerGuard
{
    /// <summary>Adds the check to <paramref name="app"/>; put it before every endpoint.</summary>
    public static IApplicationBuilder UseListenerGuard(this IApplicationBuilder app, ListenerPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            var caller = policy.Authenticate is { } authenticate && PresentedToken(request) is { } token ? authenticate(token) : null;
            var denial = Check(request, policy, caller);
            if (denial is null)
            {
                await next(context).ConfigureAwait(false);
            }
            else
            {
                if (denial.Status == StatusCodes.Status401Unauthorized)
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                }

                await policy.WriteDenialAsync(context, denial).ConfigureAwait(false);
            }

            if (IsMutating(request.Method) && policy.AuditAsync is { } audit)
            {
                await audit(new ListenerAuditEntry(caller?.Name ?? "anonymous", request.Method, request.Path.Value ?? "/", context.Response.StatusCode), CancellationToken.None).ConfigureAwait(false);
            }
        });
    }

    /// <summary>The first of <paramref name="addresses"/> (URLs as Kestrel reports them) that is not loopback, or null.</summary>
    public static string? FirstNonLoopback(IEnumerable<string> addresses) =>
        addresses.FirstOrDefault(a => !(Uri.TryCreate(a, UriKind.Absolute, out var uri) && IsLoopbackName(uri.Host)));

    /// <summary>
    /// The addresses Kestrel will bind besides the flag's, from its configuration
    /// (<c>Kestrel:Endpoints:NAME:Url</c>, which <c>Kestrel__Endpoints__NAME__Url</c> in the
    /// environment sets): checked before anything binds, so that a refused address never accepts
    /// a connection, not even for the moment until the check after binding.
    /// </summary>
    public static IEnumerable<string> ConfiguredEndpoints(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>();

    /// <summary>True for <c>localhost</c> and loopback IP literals (<c>127.0.0.0/8</c>, <c>::1</c>, bracketed or not).</summary>
    public static bool IsLoopbackName(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>True for every method but GET, HEAD and OPTIONS.</summary>
    public static bool IsMutating(string method) => !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));

    /// <summary>Compares a presented token with a configured one in constant time.</summary>
    public static bool TokenEquals(string presented, string configured) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(configured));

    private static ListenerDenial? Check(HttpRequest request, ListenerPolicy policy, ListenerCaller? caller)
    {
        var host = request.Host;
        if (caller is null && host.HasValue && !HostAllowed(host.Host, request.HttpContext.Connection.LocalIpAddress))
        {
            return new ListenerDenial(StatusCodes.Status403Forbidden, $"Host '{host}' is not an address of this listener (a DNS-rebinding page would look like this)", "Host",
                "the address the listener is bound to, or 127.0.0.1, localhost or [::1] on loopback");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{host}", StringComparison.OrdinalIgnoreCase))
        {
            return new ListenerDenial(StatusCodes.Status403Forbidden, $"Origin '{origin}' is not this listener's own (cross-site requests are refused)", "Origin", $"no Origin, or {request.Scheme}://{host}");
        }

        if (policy.TokensConfigured && !policy.IsPublic(request))
        {
            var needed = policy.RequiredRole(request);
            if (caller is null)
            {
                return new ListenerDenial(StatusCodes.Status401Unauthorized, "a valid bearer token is needed (Authorization: Bearer TOKEN)", "Authorization", null);
            }

            if (caller.Role < needed)
            {
                var role = needed.ToString().ToLowerInvariant();
                return new ListenerDenial(StatusCodes.Status403Forbidden, $"{request.Method} {request.Path} needs the role {role}; '{caller.Name}' is {caller.Role.ToString().ToLowerInvariant()}", "Authorization", role);
            }
        }

        if (caller is null && IsMutating(request.Method) && HasBody(request) && !IsJson(request.ContentType))
        {
            return new ListenerDenial(StatusCodes.Status415UnsupportedMediaType, $"a request body of type '{request.ContentType}' is refused (what a cross-site form could send)", "Content-Type", "application/json");
        }

        return null;
    }

    // Names of the local address itself always; loopback names only on a loopback connection.
    private static bool HostAllowed(string host, IPAddress? local)
    {
        if (local is null)
        {
            return IsLoopbackName(host);
        }

        if (IPAddress.IsLoopback(local) || (local.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(local.MapToIPv4())))
        {
            return IsLoopbackName(host);
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var named) && (named.Equals(local) || (local.IsIPv4MappedToIPv6 && named.Equals(local.MapToIPv4())));
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    // Browsers cannot set headers on a WebSocket, so an upgrade may carry its token in the query.
    // An empty token is no token: it must never match a configured one that came out empty.
    // A browser cannot set headers on a WebSocket, so /ws alone may carry the token in its query.
    private static string? PresentedToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim()
            : request.Path == "/ws" && string.Equals(request.Headers.Upgrade.ToString(), "websocket", StringComparison.OrdinalIgnoreCase) && request.Query.TryGetValue("access_token", out var fromQuery) ? fromQuery.ToString()
            : null;
        return string.IsNullOrEmpty(token) ? null : token;
    }
}
