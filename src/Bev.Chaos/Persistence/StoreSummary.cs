namespace Bev.Chaos.Persistence;

/// <summary>What a status page needs from the store, read in one query.</summary>
/// <param name="OpenFaults">Faults in injecting, active or removing state, of every engine.</param>
/// <param name="LockReason">Why the safety lock is engaged; null when it is released.</param>
/// <param name="LockSince">When the safety lock was engaged; null when it is released.</param>
public sealed record StoreSummary(int OpenFaults, string? LockReason, DateTimeOffset? LockSince);
