namespace Bev.Chaos.Faults;

/// <summary>
/// What a fault type is and takes, as <c>bev-chaos faults --injectors</c> and <c>GET /injectors</c>
/// list it: its parameters with defaults and bounds, and its profiles.
/// </summary>
/// <param name="Name">The injector's name.</param>
/// <param name="Category">Its category.</param>
/// <param name="Description">What it does.</param>
/// <param name="Parameters">Its parameters, in the order users read them.</param>
/// <param name="Profiles">Its profiles' names.</param>
public sealed record InjectorSummary(string Name, FaultCategory Category, string Description, IReadOnlyList<InjectorSummary.Parameter> Parameters, IReadOnlyList<string> Profiles)
{
    /// <summary>The summary of <paramref name="injector"/>.</summary>
    public static InjectorSummary Of(FaultInjector injector)
    {
        ArgumentNullException.ThrowIfNull(injector);
        return new(injector.Name, injector.Category, injector.Description,
            [.. injector.Parameters.Select(p => new Parameter(p.Name, p.Type, p.Default, p.Min, p.Max, p.CapKey, p.AllowedValues, p.Description))],
            [.. injector.Profiles.Keys]);
    }

    /// <summary>One parameter: its type, default, bounds (and the configuration key capping it), allowed values.</summary>
    /// <param name="Name">The parameter's name.</param>
    /// <param name="Type">Its type.</param>
    /// <param name="Default">Its default; null when it has none.</param>
    /// <param name="Min">Its lower bound, for numbers.</param>
    /// <param name="Max">Its upper bound, for numbers.</param>
    /// <param name="CapKey">The <c>fault_injectors.NAME.</c> key that caps it, if any.</param>
    /// <param name="AllowedValues">The values a text parameter takes, when they are a list.</param>
    /// <param name="Description">What it means.</param>
    public sealed record Parameter(string Name, FaultParameterType Type, object? Default, double? Min, double? Max, string? CapKey, IReadOnlyList<string>? AllowedValues, string Description);
}
