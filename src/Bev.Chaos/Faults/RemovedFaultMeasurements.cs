namespace Bev.Chaos.Faults;

/// <summary>
/// The last counts of the faults this engine removed (<see cref="IFaultMeasurements"/>), by fault
/// id, for experiment results to report. Bounded: the oldest go once <see cref="Capacity"/> are held.
/// </summary>
internal sealed class RemovedFaultMeasurements
{
    /// <summary>How many removed faults' counts are kept.</summary>
    public const int Capacity = 10_000;

    private readonly Dictionary<string, IReadOnlyDictionary<string, long>> _byFault = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _gate = new();

    public void Record(string faultId, IReadOnlyDictionary<string, long> measurements)
    {
        lock (_gate)
        {
            if (!_byFault.ContainsKey(faultId))
            {
                _order.Enqueue(faultId);
                if (_order.Count > Capacity)
                {
                    _byFault.Remove(_order.Dequeue());
                }
            }

            _byFault[faultId] = measurements;
        }
    }

    public IReadOnlyDictionary<string, long>? Of(string faultId)
    {
        lock (_gate)
        {
            return _byFault.GetValueOrDefault(faultId);
        }
    }
}
