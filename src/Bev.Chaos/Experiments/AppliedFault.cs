namespace Bev.Chaos.Experiments;

/// <summary>A fault the experiment applied.</summary>
public sealed record AppliedFault(string FaultId, string InjectorName, string TargetService, DateTimeOffset InjectedAt, DateTimeOffset? RemovedAt)
{
    /// <summary>
    /// What the fault did, as counted just before its removal: for proxy faults <c>matched</c> and
    /// <c>affected</c> requests (commands, queries) of a protocol toxic, <c>connections</c>,
    /// <c>bytes_delayed</c>, <c>resets</c>. Null for faults that count nothing.
    /// </summary>
    public IReadOnlyDictionary<string, long>? Measurements { get; init; }
}
