using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults.Network.Kernel;

/// <summary>
/// A tc fault's undo recipe: the namespace and the device whose root qdisc is ours. The JSON is
/// the shape the journal has always held: <c>{"mechanism":"kernel","netns":…,"device":…}</c>.
/// </summary>
internal sealed record TrafficControlRecipe(string Netns, string Device)
{
    public const string NetnsKey = "netns";
    public const string DeviceKey = "device";

    /// <summary>Reads a recipe; null when it names no device (nothing was installed).</summary>
    public static TrafficControlRecipe? From(JsonObject recipe) =>
        recipe[DeviceKey] is null ? null : new(NetworkRecipe.Text(recipe, NetnsKey), NetworkRecipe.Text(recipe, DeviceKey));

    public JsonObject ToJson() => new()
    {
        [NetworkRecipe.MechanismKey] = NetworkParameters.KernelMechanism,
        [NetnsKey] = Netns,
        [DeviceKey] = Device,
    };
}
