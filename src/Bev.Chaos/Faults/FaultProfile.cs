namespace Bev.Chaos.Faults;

/// <summary>A named preset of parameter values (and optionally a duration) for one injector.</summary>
public sealed record FaultProfile(string Name, IReadOnlyDictionary<string, object> Parameters, TimeSpan? Duration = null);
