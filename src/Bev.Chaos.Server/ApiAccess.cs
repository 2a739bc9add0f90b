using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Bev.Chaos.Server;

/// <summary>
/// Bearer tokens with roles (<c>auth.tokens</c>): viewers read, operators also change things (emergency
/// stop included), admins also release the safety lock. Without tokens the API is open — and the
/// server only listens on loopback. Cross-site and DNS-rebinding requests are refused either way
/// (<see cref="ListenerGuard"/>). Every mutating call, allowed or not, goes to the audit log.
/// </summary>
internal static class ApiAccess
{
    public static void Use(WebApplication app, ChaosEngine engine, TimeProvider time)
    {
        var audit = new AuditLog(engine.Store);
        app.UseListenerGuard(ListenerPolicies.ForChaosApi(engine.Configuration, audit, time));
        app.MapGet("/audit", (HttpRequest request, CancellationToken ct) => QueryReader.HandleAsync(async () =>
        {
            var limit = QueryReader.Int(request, "limit", 100, 1, 1000);
            var offset = QueryReader.Int(request, "offset", 0, 0, int.MaxValue);
            return Results.Json(await audit.ListAsync(limit, ct, offset), ServerJson.Options);
        }));
    }
}
