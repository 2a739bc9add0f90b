using System.Diagnostics;
using Bev.Chaos.Load;

namespace Bev.Chaos.Resilience;

/// <summary>
/// The requests of one resilience test, by phase, on one clock: Stopwatch timestamps, turned into
/// wall time from the test's start so they line up with fault times.
/// </summary>
internal sealed class PhaseSamples(DateTimeOffset startedWall, long startedTimestamp)
{
    private readonly Lock _lock = new();
    private readonly List<(string Phase, LoadSample Sample)> _samples = [];
    private readonly List<(string Phase, DateTimeOffset Started, DateTimeOffset Ended)> _phases = [];

    public DateTimeOffset Started => startedWall;

    public IReadOnlyList<(string Phase, DateTimeOffset Started, DateTimeOffset Ended)> Phases => _phases;

    public DateTimeOffset WallTime(long timestamp) =>
        startedWall + TimeSpan.FromSeconds((double)(timestamp - startedTimestamp) / Stopwatch.Frequency);

    public DateTimeOffset Now => WallTime(Stopwatch.GetTimestamp());

    public Action<LoadSample> RecorderFor(string phase) => sample =>
    {
        lock (_lock)
        {
            _samples.Add((phase, sample));
        }
    };

    public void AddPhase(string phase, DateTimeOffset started, DateTimeOffset ended) => _phases.Add((phase, started, ended));

    /// <summary>Samples of a phase (or every phase), in due order, with their wall time.</summary>
    public IReadOnlyList<(DateTimeOffset Due, LoadSample Sample)> Of(string? phase)
    {
        lock (_lock)
        {
            return _samples.Where(s => phase is null || s.Phase == phase)
                .OrderBy(s => s.Sample.DueTimestamp)
                .Select(s => (WallTime(s.Sample.DueTimestamp), s.Sample))
                .ToList();
        }
    }
}
