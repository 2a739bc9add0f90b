using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults;

/// <summary>
/// A fault type whose parameters are a typed options record: its schema is generated from the
/// record's <see cref="FaultOptionAttribute"/> properties, and the injector reads the fault's
/// values as that record (<see cref="OptionsOf"/>), never by name.
/// </summary>
/// <typeparam name="TOptions">The options record, with each parameter's default as its initial value.</typeparam>
public abstract class FaultInjector<TOptions> : FaultInjector
    where TOptions : class, new()
{
    /// <summary>Generated from <typeparamref name="TOptions"/>, once (a base may add its shared parameters after them).</summary>
    public override IReadOnlyList<FaultParameter> Parameters => FaultOptionsSchema<TOptions>.Parameters;

    /// <summary>The fault's validated parameters as <typeparamref name="TOptions"/>.</summary>
    protected static TOptions OptionsOf(FaultContext context) => context.OptionsAs<TOptions>();
}
