namespace Bev.Chaos.Faults;

/// <summary>
/// Implemented by a fault's handle (<see cref="FaultInjector.ApplyAsync"/>) when it can count
/// what the fault has done — a proxy toxic's matched and affected requests, connections, bytes
/// delayed, resets. Read once more just before the fault is reverted, so the counts outlive it.
/// </summary>
public interface IFaultMeasurements
{
    /// <summary>The counts so far, by name (<c>matched</c>, <c>affected</c>, <c>connections</c>, …).</summary>
    IReadOnlyDictionary<string, long> Measure();
}
