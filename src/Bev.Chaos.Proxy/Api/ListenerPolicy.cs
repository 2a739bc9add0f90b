using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Bev.Chaos.Proxy.Api;

/// <summary>
/// The access policy of one HTTP listener (chaos API, Toxiproxy-compatible API, agent), applied by
/// <see cref="ListenerGuard"/>. The hosts that know about tokens and audit logs fill it in; this
/// layer only enforces it. Defaults: open (no tokens), nothing audited, reads need viewer and every
/// other method operator.
/// </summary>
public sealed class ListenerPolicy
{
    /// <summary>An open listener: no tokens, no audit. It must stay on loopback.</summary>
    public static ListenerPolicy Open { get; } = new();

    /// <summary>
    /// Maps a presented bearer token to its caller, or null when it is not valid. Null (the default):
    /// no tokens are configured, the listener is open and must only be bound to loopback.
    /// </summary>
    public Func<string, ListenerCaller?>? Authenticate { get; init; }

    /// <summary>True when tokens are configured (<see cref="Authenticate"/> is set).</summary>
    public bool TokensConfigured => Authenticate is not null;

    /// <summary>The role a request needs; default: viewer for GET and HEAD, operator for everything else.</summary>
    public Func<HttpRequest, ListenerRole> RequiredRole { get; init; } = DefaultRequiredRole;

    /// <summary>Paths served without a token even when tokens are configured (e.g. <c>/health</c>); default: none.</summary>
    public Func<HttpRequest, bool> IsPublic { get; init; } = _ => false;

    /// <summary>Called after every mutating request (anything but GET, HEAD, OPTIONS), allowed or refused; null: not audited.</summary>
    public Func<ListenerAuditEntry, CancellationToken, Task>? AuditAsync { get; init; }

    /// <summary>Writes a refusal; default: <c>{"error", "field", "allowed", "status"}</c> as JSON.</summary>
    public Func<HttpContext, ListenerDenial, Task> WriteDenialAsync { get; init; } = DefaultWriteDenialAsync;

    /// <summary>The default role rule: GET and HEAD read (viewer), every other method changes (operator).</summary>
    public static ListenerRole DefaultRequiredRole(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) ? ListenerRole.Viewer : ListenerRole.Operator;

    private static Task DefaultWriteDenialAsync(HttpContext context, ListenerDenial denial)
    {
        context.Response.StatusCode = denial.Status;
        context.Response.ContentType = "application/json";
        var body = new JsonObject { ["error"] = denial.Error, ["field"] = denial.Field, ["allowed"] = denial.Allowed, ["status"] = denial.Status };
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
