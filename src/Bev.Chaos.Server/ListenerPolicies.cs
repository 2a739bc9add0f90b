using Bev.Chaos.Configuration;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy.Api;
using Microsoft.AspNetCore.Http;

namespace Bev.Chaos.Server;

/// <summary>
/// The one access policy of every listener we open (docs/security.md), filled in from
/// <c>auth.tokens</c> and the audit log: the chaos API, the agent's API and the
/// Toxiproxy-compatible API (under <c>serve</c> and under <c>bev-chaos proxy</c>) all authenticate
/// the same tokens with the same roles, refuse the same cross-site requests and audit every
/// mutating call.
/// </summary>
public static class ListenerPolicies
{
    /// <summary>The chaos API's policy: <c>/health</c> and the dashboard's files are public; releasing the safety lock needs admin.</summary>
    public static ListenerPolicy ForChaosApi(ChaosConfiguration configuration, AuditLog audit, TimeProvider time) => new()
    {
        Authenticate = Authenticator(configuration),
        RequiredRole = request => HttpMethods.IsDelete(request.Method) && request.Path == "/emergency-stop" ? ListenerRole.Admin : ListenerPolicy.DefaultRequiredRole(request),

        // The dashboard's files hold no data; the page asks for a token before it calls the API.
        IsPublic = request => request.Path == "/health" || request.Path == "/" || request.Path.StartsWithSegments("/dashboard"),
        AuditAsync = Auditor(audit, time, string.Empty),
        WriteDenialAsync = (context, denial) => ApiError.Status(denial.Status, denial.Error, denial.Field, denial.Allowed).ExecuteAsync(context),
    };

    /// <summary>
    /// The Toxiproxy-compatible API's options: the same tokens (reads need viewer, changes operator),
    /// <c>proxy.max_proxies</c> and <c>proxy.allowed_listen_addresses</c>, mutating calls audited as
    /// <c>toxiproxy METHOD PATH</c> when <paramref name="audit"/> is given.
    /// </summary>
    public static ToxiproxyApiOptions ForToxiproxyApi(ChaosConfiguration configuration, AuditLog? audit, TimeProvider time) => new()
    {
        Access = new ListenerPolicy
        {
            Authenticate = Authenticator(configuration),
            AuditAsync = audit is null ? null : Auditor(audit, time, "toxiproxy "),
        },
        MaxProxies = configuration.Proxy.MaxProxies,
        AllowedListenAddresses = configuration.Proxy.AllowedListenAddresses,
    };

    private static Func<string, ListenerCaller?>? Authenticator(ChaosConfiguration configuration)
    {
        var tokens = configuration.ApiTokens;
        if (tokens.Count == 0)
        {
            return null;
        }

        return presented => tokens.FirstOrDefault(t => ListenerGuard.TokenEquals(presented, t.Token)) is { } token
            ? new ListenerCaller(token.Name, (ListenerRole)(int)token.Role)
            : null;
    }

    private static Func<ListenerAuditEntry, CancellationToken, Task> Auditor(AuditLog audit, TimeProvider time, string prefix) =>
        (entry, ct) => audit.AppendAsync(new AuditEntry(time.GetUtcNow(), entry.Who, $"{prefix}{entry.Method} {entry.Path}", entry.Status), ct);
}
