namespace Bev.Chaos.Faults.Options;

/// <summary>
/// Declares a property of a fault type's options record as one of its parameters, as Polly's
/// <c>*StrategyOptions</c> carry their defaults and bounds: the property's initial value is the
/// default, this attribute gives the wire name, the bounds and the configuration cap. The parameter
/// schema (<c>--injectors</c>, <c>GET /injectors</c>, OpenAPI) is generated from these.
/// </summary>
/// <param name="name">The parameter's name on the wire (<c>delay_ms</c>).</param>
/// <param name="description">One sentence for users.</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class FaultOptionAttribute(string name, string description) : Attribute
{
    /// <summary>The parameter's name on the wire (<c>delay_ms</c>).</summary>
    public string Name => name;

    /// <summary>One sentence for users.</summary>
    public string Description => description;

    /// <summary>Inclusive lower bound of a number; <see cref="double.NaN"/> for none.</summary>
    public double Min { get; init; } = double.NaN;

    /// <summary>Inclusive upper bound of a number; <see cref="double.NaN"/> for none.</summary>
    public double Max { get; init; } = double.NaN;

    /// <summary>The <c>fault_injectors.&lt;name&gt;</c> key that can lower <see cref="Max"/> (e.g. <c>max_cpu_load</c>).</summary>
    public string? CapKey { get; init; }

    /// <summary>For text: the only values accepted; none means any text.</summary>
    public string[]? AllowedValues { get; init; }
}
