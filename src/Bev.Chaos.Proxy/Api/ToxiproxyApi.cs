using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bev.Chaos.Proxy.Api;

/// <summary>
/// The Toxiproxy HTTP API over a <see cref="ProxyCollection"/>: the same paths, JSON shapes,
/// defaults and status codes (201 new proxy, 200 new toxic, 204 deletes and reset, errors as
/// <c>{"error", "status"}</c>), so existing Toxiproxy clients work unchanged.
/// </summary>
public static partial class ToxiproxyApi
{
    /// <summary>The version this API reports; Toxiproxy clients check the major version.</summary>
    public const string Version = "2.12.0-bev-chaos";

    /// <summary>What a proxy name may be: 1–100 of A–Z, a–z, 0–9, '.', '_', '-', never '.' alone or '..' (a name is a URL segment).</summary>
    public const string AllowedNames = "1-100 characters of A-Z a-z 0-9 . _ - (not '.' alone, no '..')";

    /// <summary>Maps the API with the default options: open, at most 1000 proxies, listeners on loopback only.</summary>
    public static IEndpointRouteBuilder MapToxiproxyApi(this IEndpointRouteBuilder app, ProxyCollection proxies) => app.MapToxiproxyApi(proxies, new ToxiproxyApiOptions());

    /// <summary>Maps the API with its limits (<paramref name="options"/>); the access policy is applied by the host (<see cref="ListenerGuard"/>).</summary>
    public static IEndpointRouteBuilder MapToxiproxyApi(this IEndpointRouteBuilder app, ProxyCollection proxies, ToxiproxyApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var creating = new Lock();
        ChaosProxy Create(string? name, string? listen, string? upstream, bool enabled, string? protocol)
        {
            var speaks = ProxyProtocols.Parse(protocol);
            CheckName(name);
            CheckListen(listen, options);
            lock (creating)
            {
                if (proxies.All.Count >= options.MaxProxies && (name is null || !proxies.TryGet(name, out _)))
                {
                    throw ProxyException.BadField("name", $"too many proxies: at most {options.MaxProxies} may exist at once (delete some first)");
                }

                return proxies.Create(name, listen, upstream, enabled, protocol: speaks);
            }
        }

        app.MapGet("/version", () => Results.Text($"{{\"version\": \"{Version}\"}}\n", "application/json;charset=utf-8"));
        app.MapPost("/reset", () => Handle(() =>
        {
            proxies.Reset();
            return Results.NoContent();
        }));
        app.MapGet("/proxies", () => Handle(() =>
        {
            var all = new JsonObject();
            foreach (var proxy in proxies.All)
            {
                all[proxy.Name] = ToxiproxyJson.Proxy(proxy);
            }

            return Json(all, 200);
        }));
        app.MapPost("/proxies", (HttpRequest request) => HandleAsync(async () =>
        {
            var body = ToxiproxyJson.Object(await ToxiproxyJson.ReadBodyAsync(request.Body, request.HttpContext.RequestAborted), "a proxy");
            var proxy = Create(ToxiproxyJson.String(body, "name"), ToxiproxyJson.String(body, "listen"), ToxiproxyJson.String(body, "upstream"), ToxiproxyJson.Bool(body, "enabled") ?? true, ToxiproxyJson.String(body, "protocol"));
            return Json(ToxiproxyJson.Proxy(proxy), 201);
        }));
        app.MapPost("/populate", (HttpRequest request) => HandleAsync(async () =>
        {
            var body = await ToxiproxyJson.ReadBodyAsync(request.Body, request.HttpContext.RequestAborted);
            var list = body as JsonArray ?? throw ProxyException.BadRequest("bad request body: populate takes a JSON array of proxies");
            var created = new JsonArray();
            var items = list.Select(item => ToxiproxyJson.Object(item!, "each proxy")).ToList();

            // Nothing half-applied: every name, listen address and the count are checked before the first proxy changes.
            var fresh = 0;
            foreach (var p in items)
            {
                CheckListen(ToxiproxyJson.String(p, "listen"), options);
                var speaks = ProxyProtocols.Parse(ToxiproxyJson.String(p, "protocol"));
                if (ToxiproxyJson.String(p, "name") is { } known && proxies.TryGet(known, out var already) && ToxiproxyJson.String(p, "protocol") is not null && already.Protocol != speaks)
                {
                    throw ProxyException.BadField("protocol", $"protocol: proxy '{known}' exists with protocol {already.Protocol.Name()}; a proxy's protocol is fixed when it is created (delete it first to change it to {speaks.Name()})");
                }

                if (ToxiproxyJson.String(p, "name") is not { } name || !proxies.TryGet(name, out _))
                {
                    CheckName(ToxiproxyJson.String(p, "name"));
                    fresh++;
                }
            }

            if (proxies.All.Count + fresh > options.MaxProxies)
            {
                throw ProxyException.BadField("name", $"too many proxies: at most {options.MaxProxies} may exist at once (delete some first)");
            }

            foreach (var p in items)
            {
                var name = ToxiproxyJson.String(p, "name");
                if (name is not null && proxies.TryGet(name, out var existing))
                {
                    existing.Update(ToxiproxyJson.String(p, "listen"), ToxiproxyJson.String(p, "upstream"), ToxiproxyJson.Bool(p, "enabled") ?? true);
                    created.Add(ToxiproxyJson.Proxy(existing));
                }
                else
                {
                    created.Add(ToxiproxyJson.Proxy(Create(name, ToxiproxyJson.String(p, "listen"), ToxiproxyJson.String(p, "upstream"), ToxiproxyJson.Bool(p, "enabled") ?? true, ToxiproxyJson.String(p, "protocol"))));
                }
            }

            return Json(new JsonObject { ["proxies"] = created }, 201);
        }));
        app.MapGet("/proxies/{proxy}", (string proxy) => Handle(() => Json(ToxiproxyJson.Proxy(proxies.Get(proxy)), 200)));
        app.MapMethods("/proxies/{proxy}", ["POST", "PATCH"], (string proxy, HttpRequest request) => HandleAsync(async () =>
        {
            var target = proxies.Get(proxy);
            var body = ToxiproxyJson.Object(await ToxiproxyJson.ReadBodyAsync(request.Body, request.HttpContext.RequestAborted), "a proxy");
            CheckListen(ToxiproxyJson.String(body, "listen"), options);
            if (ToxiproxyJson.String(body, "protocol") is { } protocol && ProxyProtocols.Parse(protocol) != target.Protocol)
            {
                throw ProxyException.BadField("protocol", $"protocol: '{protocol}' cannot be set on proxy '{target.Name}' (it has protocol {target.Protocol.Name()}; a proxy's protocol is fixed when it is created)");
            }

            target.Update(ToxiproxyJson.String(body, "listen"), ToxiproxyJson.String(body, "upstream"), ToxiproxyJson.Bool(body, "enabled"));
            return Json(ToxiproxyJson.Proxy(target), 200);
        }));
        app.MapDelete("/proxies/{proxy}", (string proxy) => HandleAsync(async () =>
        {
            await proxies.RemoveAsync(proxy);
            return Results.NoContent();
        }));
        app.MapGet("/proxies/{proxy}/toxics", (string proxy) => Handle(() =>
            Json(ToxiproxyJson.Toxics(proxies.Get(proxy)), 200)));
        app.MapPost("/proxies/{proxy}/toxics", (string proxy, HttpRequest request) => HandleAsync(async () =>
        {
            var target = proxies.Get(proxy);
            var body = ToxiproxyJson.Object(await ToxiproxyJson.ReadBodyAsync(request.Body, request.HttpContext.RequestAborted), "a toxic");
            var definition = ToxicTypes.DefineFromJson(ToxiproxyJson.String(body, "name"), ToxiproxyJson.String(body, "type"), ToxiproxyJson.String(body, "stream"), ToxiproxyJson.Number(body, "toxicity"), ToxiproxyJson.Attributes(body));
            return Json(ToxiproxyJson.Toxic(target.AddToxic(definition), null), 200);
        }));
        app.MapGet("/proxies/{proxy}/toxics/{toxic}", (string proxy, string toxic) => Handle(() =>
        {
            var target = proxies.Get(proxy);
            return Json(ToxiproxyJson.Toxic(target.GetToxic(toxic), target.Counters.GetValueOrDefault(toxic)), 200);
        }));
        app.MapMethods("/proxies/{proxy}/toxics/{toxic}", ["POST", "PATCH"], (string proxy, string toxic, HttpRequest request) => HandleAsync(async () =>
        {
            var target = proxies.Get(proxy);
            target.GetToxic(toxic);
            var body = ToxiproxyJson.Object(await ToxiproxyJson.ReadBodyAsync(request.Body, request.HttpContext.RequestAborted), "a toxic");
            var toxicity = ToxiproxyJson.Number(body, "toxicity");
            var attributes = ToxiproxyJson.Attributes(body);
            var updated = target.UpdateToxic(toxic, previous => ToxicTypes.DefineFromJson(previous.Name, previous.Type, null, toxicity, attributes, previous));
            return Json(ToxiproxyJson.Toxic(updated, target.Counters.GetValueOrDefault(toxic)), 200);
        }));
        app.MapDelete("/proxies/{proxy}/toxics/{toxic}", (string proxy, string toxic) => Handle(() =>
        {
            proxies.Get(proxy).RemoveToxic(toxic);
            return Results.NoContent();
        }));
        return app;
    }

    private static void CheckName(string? name)
    {
        if (name is not null && (!NamePattern().IsMatch(name) || name == "." || name.Contains("..", StringComparison.Ordinal)))
        {
            throw ProxyException.BadField("name", $"name: '{(name.Length > 120 ? name[..120] + "…" : name)}' is not allowed (allowed: {AllowedNames})");
        }
    }

    private static void CheckListen(string? listen, ToxiproxyApiOptions options)
    {
        if (string.IsNullOrEmpty(listen))
        {
            return;
        }

        var endpoint = ChaosProxy.ParseEndpoint(listen, "listen");
        if (!options.MayListenOn(endpoint.Address))
        {
            var extra = options.AllowedListenAddresses.Count == 0 ? string.Empty : ", or " + string.Join(", ", options.AllowedListenAddresses.Select(a => a.ToString()));
            throw ProxyException.BadField("listen", $"listen: '{listen}' is not allowed (allowed: a loopback address such as 127.0.0.1:PORT{extra}; other addresses only when proxy.allowed_listen_addresses lists them)");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex NamePattern();

    private static IResult Json(JsonNode node, int status) =>
        Results.Text(node.ToJsonString(), "application/json", statusCode: status);

    private static IResult Handle(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (ProxyException ex)
        {
            return Json(ToxiproxyJson.Error(ex.Message, ex.Status, ex.Field), ex.Status);
        }
    }

    private static async Task<IResult> HandleAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (ProxyException ex)
        {
            return Json(ToxiproxyJson.Error(ex.Message, ex.Status, ex.Field), ex.Status);
        }
    }
}
