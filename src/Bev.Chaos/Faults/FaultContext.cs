using Bev.Chaos.Configuration;
using Bev.Chaos.Targets;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Faults;

/// <summary>Everything an injector needs to prepare and apply one fault.</summary>
public sealed class FaultContext
{
    /// <summary>The new fault's id: the injector's name and 12 hex digits (<c>cpu_stress-1a2b3c4d5e6f</c>).</summary>
    public required string FaultId { get; init; }

    /// <summary>The target, resolved to its processes when the request was validated.</summary>
    public required ResolvedTarget Target { get; init; }

    /// <summary>The parameters after validation: defaults and profile merged in, typed, within bounds and caps.</summary>
    public required FaultParameters Parameters { get; init; }

    /// <summary>How long the fault lasts, within the global and the injector's caps.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>When the engine removes the fault: the time of validation plus <see cref="Duration"/>.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>This injector's <c>fault_injectors.&lt;name&gt;</c> settings (the defaults when it has none).</summary>
    public required InjectorSettings Settings { get; init; }

    /// <summary>The engine's whole configuration.</summary>
    public required ChaosConfiguration Configuration { get; init; }

    /// <summary>The engine's clock (the system clock unless the host gave another).</summary>
    public required TimeProvider TimeProvider { get; init; }

    /// <summary>The engine's data directory (the store, run files).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The fault manager's logger.</summary>
    public required ILogger Logger { get; init; }

    private object? _options;

    /// <summary>
    /// <see cref="Parameters"/> as the fault type's options record (bound once per fault), for types
    /// declared with one (<see cref="FaultInjector{TOptions}"/>).
    /// </summary>
    /// <typeparam name="TOptions">The options record of the fault's type.</typeparam>
    public TOptions OptionsAs<TOptions>()
        where TOptions : class, new() =>
        _options as TOptions ?? (TOptions)(_options = Options.FaultOptionsSchema<TOptions>.Bind(Parameters));
}

/// <summary>What a revert may use: it runs in whatever process finds the fault, possibly long after.</summary>
public sealed class RevertContext
{
    /// <summary>The clock of the engine doing the revert.</summary>
    public required TimeProvider TimeProvider { get; init; }

    /// <summary>The logger of the engine doing the revert.</summary>
    public required ILogger Logger { get; init; }
}
