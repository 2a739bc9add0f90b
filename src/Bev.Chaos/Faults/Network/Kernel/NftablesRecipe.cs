using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults.Network.Kernel;

/// <summary>
/// An nftables fault's undo recipe: the namespace, the fault's set and its rules' comment. The
/// JSON is the shape the journal has always held:
/// <c>{"mechanism":"kernel","netns":…,"set":…,"comment":…}</c>.
/// </summary>
internal sealed record NftablesRecipe(string Netns, string Set, string Comment)
{
    public const string NetnsKey = "netns";
    public const string SetKey = "set";
    public const string CommentKey = "comment";

    /// <summary>Reads a recipe; null when it names no set (nothing was installed).</summary>
    public static NftablesRecipe? From(JsonObject recipe) =>
        recipe[SetKey] is null ? null
            : new(NetworkRecipe.Text(recipe, NetnsKey), NetworkRecipe.Text(recipe, SetKey), NetworkRecipe.Text(recipe, CommentKey));

    public JsonObject ToJson() => new()
    {
        [NetworkRecipe.MechanismKey] = NetworkParameters.KernelMechanism,
        [NetnsKey] = Netns,
        [SetKey] = Set,
        [CommentKey] = Comment,
    };
}
