using Bev.Chaos.Configuration;
using Bev.Chaos.Targets;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Faults;

/// <summary>Everything an injector needs to prepare and apply one fault.</summary>
public sealed class FaultContext
{
    public required string FaultId { get; init; }

    public required ResolvedTarget Target { get; init; }

    public required FaultParameters Parameters { get; init; }

    public required TimeSpan Duration { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required InjectorSettings Settings { get; init; }

    public required ChaosConfiguration Configuration { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    /// <summary>The engine's data directory (the store, run files).</summary>
    public required string DataDirectory { get; init; }

    public required ILogger Logger { get; init; }
}

/// <summary>What a revert may use: it runs in whatever process finds the fault, possibly long after.</summary>
public sealed class RevertContext
{
    public required TimeProvider TimeProvider { get; init; }

    public required ILogger Logger { get; init; }
}
