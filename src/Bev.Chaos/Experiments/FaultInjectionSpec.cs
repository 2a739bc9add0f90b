namespace Bev.Chaos.Experiments;

/// <summary>One fault of an experiment: what, where, when (offset into the injection phase) and for how long.</summary>
public sealed record FaultInjectionSpec
{
    /// <summary>The fault type (<c>injector_name</c>), e.g. <c>network_delay</c>.</summary>
    public required string InjectorName { get; init; }

    /// <summary>Where (<c>target_service</c>): a catalog service or an ad-hoc target such as <c>pid:N</c>.</summary>
    public required string TargetService { get; init; }

    /// <summary>A named parameter set of the injector (<c>profile_name</c>); <see cref="Parameters"/> override it.</summary>
    public string? ProfileName { get; init; }

    /// <summary>The injector's parameters (<c>parameters</c>).</summary>
    public IReadOnlyDictionary<string, object?> Parameters { get; init; } = new Dictionary<string, object?>();

    /// <summary>From the start of the injection phase.</summary>
    public TimeSpan Offset { get; init; }

    /// <summary>How long the fault stays (<c>duration_seconds</c>).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A name other steps (remove_fault) refer to.</summary>
    public string? Name { get; init; }

    /// <summary>Where it was written (file:line), so errors found before the run can name it.</summary>
    public string? Location { get; init; }
}
