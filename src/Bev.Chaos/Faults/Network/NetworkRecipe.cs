using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults.Network;

/// <summary>What every network recipe carries: which mechanism made it.</summary>
internal static class NetworkRecipe
{
    /// <summary>The key the journal has always stored the mechanism under.</summary>
    public const string MechanismKey = "mechanism";

    /// <summary>The mechanism a recipe names, or null for a recipe without one (nothing was prepared).</summary>
    public static string? MechanismOf(JsonObject recipe) =>
        recipe[MechanismKey] is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;

    /// <summary>A required text value of a recipe; a clear error when a journal entry lacks it.</summary>
    public static string Text(JsonObject recipe, string key) =>
        recipe[key] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new InvalidOperationException($"the {MechanismOf(recipe)} recipe has no '{key}': {recipe.ToJsonString()}");

    /// <summary>The texts of an array value; empty when the recipe has none.</summary>
    public static IReadOnlyList<string> Texts(JsonObject recipe, string key) =>
        recipe[key] is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToList() : [];
}
