using System.Security.Cryptography;
using System.Text;
using Bev.Chaos.Configuration;
using Bev.Chaos.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bev.Chaos.Server;

/// <summary>
/// Bearer tokens with roles (<c>auth.tokens</c>): viewers read, operators also change things (emergency
/// stop included), admins also release the safety lock. Without tokens the API is open — and the
/// server only listens on loopback. Every mutating call, allowed or not, goes to the audit log.
/// </summary>
internal static class ApiAccess
{
    public static void Use(WebApplication app, ChaosEngine engine, TimeProvider time)
    {
        var tokens = engine.Configuration.ApiTokens;
        var audit = new AuditLog(engine.Store);
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var mutating = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method);
            var who = "anonymous";
            var allowed = true;
            // The dashboard's files are public (they hold no data); /ws may carry its token in the query,
            // since browsers cannot set headers on a WebSocket.
            var open = request.Path == "/health" || request.Path == "/" || request.Path.StartsWithSegments("/dashboard");
            if (tokens.Count > 0 && !open)
            {
                var presented = request.Path == "/ws" && request.Query.TryGetValue("access_token", out var fromQuery) ? new StringValues("Bearer " + fromQuery) : request.Headers.Authorization;
                var caller = Authenticate(presented, tokens);
                var needed = Required(request);
                if (caller is null)
                {
                    allowed = false;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await ApiError.Status(StatusCodes.Status401Unauthorized, "a valid bearer token is needed (Authorization: Bearer TOKEN)", "Authorization").ExecuteAsync(context);
                }
                else if (caller.Role < needed)
                {
                    who = caller.Name;
                    allowed = false;
                    await ApiError.Status(StatusCodes.Status403Forbidden, $"{request.Method} {request.Path} needs the role {needed.ToString().ToLowerInvariant()}; '{caller.Name}' is {caller.Role.ToString().ToLowerInvariant()}", "Authorization", needed.ToString().ToLowerInvariant()).ExecuteAsync(context);
                }
                else
                {
                    who = caller.Name;
                }
            }

            if (allowed)
            {
                await next(context);
            }

            if (mutating)
            {
                await audit.AppendAsync(new AuditEntry(time.GetUtcNow(), who, $"{request.Method} {request.Path}", context.Response.StatusCode), CancellationToken.None);
            }
        });
        app.MapGet("/audit", async (int? limit, int? offset, CancellationToken ct) =>
            Results.Json(await audit.ListAsync(Math.Clamp(limit ?? 100, 1, 1000), ct, Math.Max(0, offset ?? 0)), ServerJson.Options));
    }

    private static ApiRole Required(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) ? ApiRole.Viewer
        : HttpMethods.IsDelete(request.Method) && request.Path == "/emergency-stop" ? ApiRole.Admin
        : ApiRole.Operator;

    private static ApiToken? Authenticate(StringValues header, IReadOnlyList<ApiToken> tokens)
    {
        var value = header.ToString();
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var presented = Encoding.UTF8.GetBytes(value[7..].Trim());
        return tokens.FirstOrDefault(t => CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(t.Token)));
    }
}
