namespace Bev.Chaos.Experiments;

/// <summary>One phase's span.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Started">When it began.</param>
/// <param name="Ended">When it ended.</param>
public sealed record PhaseRecord(ExperimentStatus Phase, DateTimeOffset Started, DateTimeOffset Ended);
