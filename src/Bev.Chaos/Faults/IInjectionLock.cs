namespace Bev.Chaos.Faults;

/// <summary>
/// The gate every injection passes and an emergency stop closes. The fault layer defines it and the
/// safety layer's <c>Safety.SafetyLock</c> (held in the store, across processes) implements it, so
/// faults never depend on safety.
/// </summary>
public interface IInjectionLock
{
    /// <summary>Throws when the lock is engaged (the safety layer's exception names the reason and since when).</summary>
    Task ThrowIfEngagedAsync(CancellationToken cancellationToken);

    /// <summary>Engages the lock for <paramref name="reason"/>: no new fault until it is released.</summary>
    Task EngageAsync(string reason, CancellationToken cancellationToken);
}
