namespace Bev.Chaos.Experiments;

/// <summary>One fault of an experiment: what, where, when (offset into the injection phase) and for how long.</summary>
public sealed record FaultInjectionSpec
{
    public required string Injector { get; init; }

    public required string Target { get; init; }

    public string? Profile { get; init; }

    public IReadOnlyDictionary<string, object?> Parameters { get; init; } = new Dictionary<string, object?>();

    /// <summary>From the start of the injection phase.</summary>
    public TimeSpan Offset { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A name other steps (remove_fault) refer to.</summary>
    public string? Name { get; init; }

    /// <summary>Where it was written (file:line), so errors found before the run can name it.</summary>
    public string? Location { get; init; }
}
