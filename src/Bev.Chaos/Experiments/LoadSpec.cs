namespace Bev.Chaos.Experiments;

/// <summary>
/// Constant-rate HTTP GETs during the injection phase, against <see cref="Url"/> or, when that is
/// not given, against the <c>health_url</c> of the catalog target <see cref="Target"/> (so a
/// scenario names a service, not a port, and <c>--bind</c> can point it elsewhere).
/// </summary>
public sealed record LoadSpec
{
    /// <summary>The URL requested; null when <see cref="Target"/> names the service instead.</summary>
    public Uri? Url { get; init; }

    /// <summary>The catalog target whose <c>health_url</c> is requested when <see cref="Url"/> is null.</summary>
    public string? Target { get; init; }

    /// <summary>Requests per second (1–10,000).</summary>
    public double Rate { get; init; } = 20;

    /// <summary>When the load starts, from the start of the injection phase.</summary>
    public TimeSpan Offset { get; init; }

    /// <summary>How long the load runs.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// This load with its target looked up in <paramref name="catalog"/>: a load that names a target
    /// gets that target's <c>health_url</c>; one whose target has none keeps a null URL, which
    /// <see cref="ExperimentValidator"/> reports. A load with a URL is returned as it is.
    /// </summary>
    public LoadSpec ForCatalog(IReadOnlyDictionary<string, Configuration.TargetDefinition> catalog) =>
        Url is null && Target is { } name && catalog.TryGetValue(name, out var target) && target.HealthUrl is { } health
            ? this with { Url = health }
            : this;
}
