using System.Text.Json.Nodes;
using Bev.Chaos.Configuration;
using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>
/// Faults on a target's proxied dependencies. The proxies live in this process's
/// <see cref="ProxyCollection"/>; catalog proxies that are not running yet are started. Revert
/// deletes exactly the toxics the recipe names (and re-enables what it disabled), so other
/// faults on the same proxy stay.
/// </summary>
internal abstract class ProxyMechanism(ProxyCollection proxies, IReadOnlyList<FaultParameter> parameters)
    : NetworkMechanism(NetworkParameters.ProxyMechanism, parameters)
{
    protected ProxyCollection Proxies { get; } = proxies;

    /// <summary>The name of the proxy for one dependency of a catalog target.</summary>
    public static string ProxyName(string target, string dependency) => $"{target}.{dependency}";

    /// <summary>The name of the toxic a fault adds for one stream.</summary>
    public static string ToxicName(string faultId, ToxicStream stream) =>
        $"{faultId}_{(stream == ToxicStream.Upstream ? "upstream" : "downstream")}";

    /// <summary>Checks the target has proxied dependencies (and the named one, if any).</summary>
    public override void Validate(FaultContext context, List<ValidationError> errors)
    {
        var proxies = context.Target.Definition?.Proxies ?? new Dictionary<string, ProxyRoute>();
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

    /// <summary>The recipe: the selected proxies, and one toxic name per stream.</summary>
    public override JsonObject Prepare(FaultContext context, string injector) =>
        new ProxyRecipe([.. SelectedProxies(context)], [.. StreamsOf(context).Select(s => ToxicName(context.FaultId, s))]).ToJson();

    public override ValueTask RevertAsync(JsonObject recipe, CancellationToken cancellationToken)
    {
        Revert(recipe);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A toxic of the recipe no longer on its proxy (the Toxiproxy API's <c>/reset</c> or a
    /// <c>DELETE</c> of it), a proxy deleted, or one the fault disabled enabled again.
    /// </summary>
    public override string? EffectLost(JsonObject recipe)
    {
        var held = ProxyRecipe.From(recipe);
        foreach (var name in held.Proxies)
        {
            if (!Proxies.TryGet(name, out var proxy))
            {
                return $"its proxy {name} was deleted";
            }

            var toxics = proxy.Toxics;
            if (held.Toxics.FirstOrDefault(t => toxics.All(d => d.Name != t)) is { } gone)
            {
                return $"its toxic {gone} was removed from proxy {name} (a reset or delete through the Toxiproxy API)";
            }

            if (held.Disabled && proxy.Enabled)
            {
                return $"its proxy {name} was enabled again";
            }
        }

        return null;
    }

    /// <summary>The streams the fault's toxics are named for.</summary>
    protected abstract IReadOnlyList<ToxicStream> StreamsOf(FaultContext context);

    /// <summary>Takes out what the recipe names, if its proxies live in this process. Idempotent.</summary>
    protected void Revert(JsonObject json)
    {
        var recipe = ProxyRecipe.From(json);
        foreach (var name in recipe.Proxies)
        {
            if (!Proxies.TryGet(name, out var proxy))
            {
                continue;
            }

            foreach (var toxic in recipe.Toxics)
            {
                if (proxy.Toxics.Any(t => t.Name == toxic))
                {
                    proxy.RemoveToxic(toxic);
                }
            }

            if (recipe.Disabled && !proxy.Enabled)
            {
                proxy.Update(null, null, enabled: true);
            }
        }
    }

    /// <summary>The selected proxies, created from the catalog where they are not running yet.</summary>
    protected List<ChaosProxy> EnsureRunning(FaultContext context)
    {
        var result = new List<ChaosProxy>();
        var definition = context.Target.Definition!;
        var selected = SelectedProxies(context).ToHashSet(StringComparer.Ordinal);
        foreach (var (dependency, route) in definition.Proxies.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var name = ProxyName(definition.Name, dependency);
            if (!selected.Contains(name))
            {
                continue;
            }

            if (!Proxies.TryGet(name, out var proxy))
            {
                try
                {
                    proxy = Proxies.Create(name, route.Listen, route.Upstream, protocol: ProxyProtocols.Parse(route.Protocol));
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

    /// <summary>A handle whose disposal reverts the recipe (the engine disposes it on removal).</summary>
    protected IAsyncDisposable RevertHandle(JsonObject recipe) => new Handle(() => Revert(recipe), () => Measure(recipe));

    /// <summary>The recipe's toxics' counters, summed over its proxies in this process.</summary>
    private IReadOnlyDictionary<string, long> Measure(JsonObject json)
    {
        var recipe = ProxyRecipe.From(json);
        long matched = 0, affected = 0, connections = 0, bytes = 0, resets = 0;
        foreach (var name in recipe.Proxies)
        {
            if (!Proxies.TryGet(name, out var proxy))
            {
                continue;
            }

            var counters = proxy.Counters;
            foreach (var toxic in recipe.Toxics)
            {
                if (counters.TryGetValue(toxic, out var c))
                {
                    (matched, affected, connections, bytes, resets) = (matched + c.Matched, affected + c.Affected, connections + c.ConnectionsAffected, bytes + c.BytesDelayed, resets + c.Resets);
                }
            }
        }

        return new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["matched"] = matched,
            ["affected"] = affected,
            ["connections"] = connections,
            ["bytes_delayed"] = bytes,
            ["resets"] = resets,
        };
    }

    private static IEnumerable<string> SelectedProxies(FaultContext context)
    {
        var dependency = context.Parameters.GetStringOrNull(NetworkParameters.Dependency);
        return context.Target.Definition!.Proxies.Keys
            .Where(d => dependency is null || d == dependency)
            .Order(StringComparer.Ordinal)
            .Select(d => ProxyName(context.Target.Definition.Name, d));
    }

    private sealed class Handle(Action revert, Func<IReadOnlyDictionary<string, long>> measure) : IAsyncDisposable, IFaultMeasurements
    {
        public IReadOnlyDictionary<string, long> Measure() => measure();

        public ValueTask DisposeAsync()
        {
            revert();
            return ValueTask.CompletedTask;
        }
    }
}
