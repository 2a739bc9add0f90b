using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults;

/// <summary>
/// What an undo recipe holds: the processes it stopped or moved into a cgroup of its own
/// (<c>stopped</c>, <c>members[].process</c>, as pid and start time) and the containers it
/// changed. Two faults of one exclusive type overlap when their recipes share one of them,
/// whatever names their targets were given (<c>pid:N</c>, <c>name:…</c> or a catalog name).
/// </summary>
internal static class RecipeTargets
{
    /// <summary>The processes and containers <paramref name="recipe"/> holds, as comparable keys.</summary>
    public static HashSet<string> Of(JsonObject recipe)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var process in recipe["stopped"] as JsonArray ?? [])
        {
            AddText(held, "process:", process);
        }

        foreach (var member in recipe["members"] as JsonArray ?? [])
        {
            AddText(held, "process:", (member as JsonObject)?["process"]);
        }

        foreach (var container in recipe["containers"] as JsonArray ?? [])
        {
            AddText(held, "container:", container);
        }

        AddText(held, "container:", recipe["container"]);
        return held;
    }

    /// <summary>The same for a recipe as the journal stores it; empty when it cannot be read.</summary>
    public static HashSet<string> Of(string recipeJson)
    {
        try
        {
            return JsonNode.Parse(recipeJson) is JsonObject recipe ? Of(recipe) : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static void AddText(HashSet<string> held, string kind, JsonNode? node)
    {
        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            held.Add(kind + text);
        }
    }
}
