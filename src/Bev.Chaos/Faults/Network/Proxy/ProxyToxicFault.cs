using System.Text.Json.Nodes;
using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>
/// Applies a fault to a target's proxied dependencies: toxics named after the fault, or the
/// proxies disabled (partition). The proxies live in this process's <see cref="ProxyCollection"/>;
/// catalog proxies that are not running yet are started. Removal deletes exactly the toxics this
/// fault added (and re-enables what it disabled), so other faults on the same proxy stay.
/// </summary>
internal static class ProxyToxicFault
{
    public const string Mechanism = "proxy";

    /// <summary>Checks the target has proxied dependencies (and the named one, if any).</summary>
    public static void Validate(FaultContext context, List<ValidationError> errors)
    {
        var proxies = context.Target.Definition?.Proxies ?? new Dictionary<string, Configuration.ProxyRoute>();
        if (proxies.Count == 0)
        {
            errors.Add(new ValidationError("target_service", context.Target.Name, "a catalog target with proxied dependencies (targets.<name>.proxy), or parameters.mechanism=kernel"));
            return;
        }

        if (context.Parameters.GetStringOrNull(NetworkParameters.Dependency) is { } dependency && !proxies.ContainsKey(dependency))
        {
            errors.Add(new ValidationError($"parameters.{NetworkParameters.Dependency}", dependency, "one of " + string.Join(", ", proxies.Keys)));
        }
    }

    /// <summary>The recipe: which proxies, which toxic names.</summary>
    public static JsonObject Prepare(FaultContext context, IReadOnlyList<ToxicStream> streams)
    {
        var proxies = new JsonArray();
        foreach (var name in SelectedProxies(context))
        {
            proxies.Add(name);
        }

        var toxics = new JsonArray();
        foreach (var stream in streams)
        {
            toxics.Add(ToxicName(context.FaultId, stream));
        }

        return new JsonObject { ["mechanism"] = Mechanism, ["proxies"] = proxies, ["toxics"] = toxics };
    }

    /// <summary>Adds one toxic per stream to every selected proxy; returns a handle that takes them out.</summary>
    public static IAsyncDisposable AddToxics(ProxyCollection collection, FaultContext context, JsonObject recipe, Func<ToxicStream, ToxicDefinition> toxicFor)
    {
        var added = new List<(ChaosProxy Proxy, string Toxic)>();
        try
        {
            foreach (var proxy in EnsureRunning(collection, context))
            {
                foreach (var name in recipe["toxics"]!.AsArray().Select(n => n!.GetValue<string>()))
                {
                    var stream = name.EndsWith("_upstream", StringComparison.Ordinal) ? ToxicStream.Upstream : ToxicStream.Downstream;
                    proxy.AddToxic(toxicFor(stream) with { Name = name });
                    added.Add((proxy, name));
                }
            }
        }
        catch
        {
            Revert(collection, recipe);
            throw;
        }

        return new Handle(() => Revert(collection, recipe));
    }

    /// <summary>Disables every selected proxy (listener closed, connections cut).</summary>
    public static IAsyncDisposable Disable(ProxyCollection collection, FaultContext context, JsonObject recipe)
    {
        foreach (var proxy in EnsureRunning(collection, context))
        {
            proxy.Update(null, null, enabled: false);
        }

        recipe["disabled"] = true;
        return new Handle(() => Revert(collection, recipe));
    }

    /// <summary>Takes out what the recipe names, if its proxies live in this process. Idempotent.</summary>
    public static void Revert(ProxyCollection collection, JsonObject recipe)
    {
        foreach (var name in recipe["proxies"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
        {
            if (!collection.TryGet(name, out var proxy))
            {
                continue;
            }

            foreach (var toxic in recipe["toxics"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
            {
                if (proxy.Toxics.Any(t => t.Name == toxic))
                {
                    proxy.RemoveToxic(toxic);
                }
            }

            if (recipe["disabled"]?.GetValue<bool>() == true && !proxy.Enabled)
            {
                proxy.Update(null, null, enabled: true);
            }
        }
    }

    public static string ProxyName(string target, string dependency) => $"{target}.{dependency}";

    private static string ToxicName(string faultId, ToxicStream stream) =>
        $"{faultId}_{(stream == ToxicStream.Upstream ? "upstream" : "downstream")}";

    private static IEnumerable<string> SelectedProxies(FaultContext context)
    {
        var dependency = context.Parameters.GetStringOrNull(NetworkParameters.Dependency);
        return context.Target.Definition!.Proxies.Keys
            .Where(d => dependency is null || d == dependency)
            .Order(StringComparer.Ordinal)
            .Select(d => ProxyName(context.Target.Definition.Name, d));
    }

    private static List<ChaosProxy> EnsureRunning(ProxyCollection collection, FaultContext context)
    {
        var result = new List<ChaosProxy>();
        var definition = context.Target.Definition!;
        foreach (var (dependency, route) in definition.Proxies.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var name = ProxyName(definition.Name, dependency);
            if (!SelectedProxies(context).Contains(name))
            {
                continue;
            }

            if (!collection.TryGet(name, out var proxy))
            {
                try
                {
                    proxy = collection.Create(name, route.Listen, route.Upstream);
                }
                catch (ProxyException ex) when (ex.Status == 409)
                {
                    throw new FeatureUnavailableException($"the proxy {name} ({route.Listen}) is held by another process: {ex.Message}; inject through the server that runs it (--server)");
                }
            }

            result.Add(proxy);
        }

        return result;
    }

    private sealed class Handle(Action revert) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            revert();
            return ValueTask.CompletedTask;
        }
    }
}
