using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>
/// A proxy fault's undo recipe: the proxies it acts on, the toxics it adds to each, and whether
/// it disabled them. The JSON is the shape the journal has always held:
/// <c>{"mechanism":"proxy","proxies":[…],"toxics":[…]}</c>, plus <c>"disabled":true</c> once a
/// partition has disabled the proxies.
/// </summary>
internal sealed record ProxyRecipe(IReadOnlyList<string> Proxies, IReadOnlyList<string> Toxics, bool Disabled = false)
{
    public const string ProxiesKey = "proxies";
    public const string ToxicsKey = "toxics";
    public const string DisabledKey = "disabled";

    /// <summary>Reads a recipe; missing lists are empty (nothing of that kind to undo).</summary>
    public static ProxyRecipe From(JsonObject recipe) =>
        new(NetworkRecipe.Texts(recipe, ProxiesKey), NetworkRecipe.Texts(recipe, ToxicsKey),
            recipe[DisabledKey] is JsonValue disabled && disabled.TryGetValue<bool>(out var yes) && yes);

    /// <summary>Records in <paramref name="recipe"/> that the proxies were disabled, so revert enables them again.</summary>
    public static void MarkDisabled(JsonObject recipe) => recipe[DisabledKey] = true;

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            [NetworkRecipe.MechanismKey] = NetworkParameters.ProxyMechanism,
            [ProxiesKey] = new JsonArray([.. Proxies.Select(p => (JsonNode)p)]),
            [ToxicsKey] = new JsonArray([.. Toxics.Select(t => (JsonNode)t)]),
        };
        if (Disabled)
        {
            json[DisabledKey] = true;
        }

        return json;
    }
}
