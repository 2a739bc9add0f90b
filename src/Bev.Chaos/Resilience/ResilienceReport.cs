namespace Bev.Chaos.Resilience;

/// <summary>
/// Everything a resilience test measured and concluded: the JSON journal (schema in
/// docs/resilience.md, <see cref="SchemaVersion"/>), and the source of the HTML and JUnit reports.
/// </summary>
public sealed record ResilienceReport
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public required string Name { get; init; }

    /// <summary>passed, failed, or error (the test could not run: preparation failed).</summary>
    public required ResilienceVerdict Verdict { get; init; }

    /// <summary>Every reason for the verdict (every failed check), or what held.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    public required DateTimeOffset Started { get; init; }

    public required DateTimeOffset Ended { get; init; }

    public required string LoadUrl { get; init; }

    public double Rate { get; init; }

    public double AvailabilityThreshold { get; init; }

    public ResilienceScore? Score { get; init; }

    public IReadOnlyList<PhaseMetrics> Phases { get; init; } = [];

    public IReadOnlyList<FaultWindow> Faults { get; init; } = [];

    public IReadOnlyList<ScenarioOutcome> Scenarios { get; init; } = [];

    /// <summary>From the first injection to the first failed or slow request; null when nothing was noticed.</summary>
    public double? TimeToDetectMs { get; init; }

    /// <summary>From the last removal to the start of sustained success; null when it never recovered in the window.</summary>
    public double? TimeToRecoverMs { get; init; }

    /// <summary>Spans of consecutive failed requests.</summary>
    public IReadOnlyList<OutageWindow> Outages { get; init; } = [];

    /// <summary>Latency statistics: failure against baseline ("degraded"), validation against baseline ("not recovered").</summary>
    public IReadOnlyList<LatencyComparison> Comparisons { get; init; } = [];

    /// <summary>Per second of the whole test.</summary>
    public IReadOnlyList<SeriesPoint> Series { get; init; } = [];

    /// <summary>Each validation check and whether it held (JUnit test cases).</summary>
    public IReadOnlyList<ResilienceCheck> Checks { get; init; } = [];
}

public enum ResilienceVerdict
{
    Passed,
    Failed,
    Error,
}

/// <summary>The load's figures over one phase.</summary>
public sealed record PhaseMetrics(
    string Phase,
    DateTimeOffset Started,
    DateTimeOffset Ended,
    long Requests,
    long Errors,
    double AvailabilityPercent,
    double ErrorRatePercent,
    double Throughput,
    double P50Ms,
    double P90Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double? P99DegradationPercent);

/// <summary>A fault's span, for shading the charts.</summary>
public sealed record FaultWindow(string FaultId, string InjectorName, string TargetService, string Scenario, DateTimeOffset InjectedAt, DateTimeOffset? RemovedAt);

/// <summary>One failure scenario: its experiment's verdict, its weight, and the availability while its faults were active.</summary>
public sealed record ScenarioOutcome(string Name, string ExperimentId, string ExperimentVerdict, double Weight, double AvailabilityPercent, IReadOnlyList<string> Reasons)
{
    /// <summary>The scenario's experiment's own time to recover (its recovery probe rounds, <see cref="Experiments.ExperimentResult.TimeToRecover"/>), in ms.</summary>
    public double? TimeToRecoverMs { get; init; }
}

public sealed record OutageWindow(DateTimeOffset Start, DateTimeOffset End, long FailedRequests);

/// <summary>One second: requests due in it, how many failed, latency percentiles (ms).</summary>
public sealed record SeriesPoint(double Second, long Requests, long Errors, double P50Ms, double P99Ms);

public sealed record ResilienceCheck(string Name, bool Passed, string Detail);

/// <summary>
/// The resilience score, 0–100: <c>50 × probe + 30 × availability + 20 × recovery</c>, where
/// probe is the fault-weighted share of successful requests while each scenario's faults were
/// active (LitmusChaos's weighted probe success), availability is
/// <c>min(1, measured / threshold)</c> over failure, recovery and validation, and recovery is 1 at
/// or below the recovery target, falling linearly to 0 at the recovery window (0 when not recovered).
/// </summary>
public sealed record ResilienceScore(double Value, double ProbeTerm, double AvailabilityTerm, double RecoveryTerm)
{
    public static ResilienceScore Compute(IReadOnlyList<ScenarioOutcome> scenarios, double availabilityPercent, double thresholdPercent, TimeSpan? timeToRecover, TimeSpan target, TimeSpan window)
    {
        var weights = scenarios.Sum(s => s.Weight);
        var probe = weights > 0 ? scenarios.Sum(s => s.Weight * s.AvailabilityPercent / 100) / weights : availabilityPercent / 100;
        var availability = thresholdPercent <= 0 ? 1 : Math.Min(1, availabilityPercent / thresholdPercent);
        var recovery = timeToRecover is not { } ttr ? 0
            : ttr <= target ? 1
            : window <= target ? 0
            : Math.Clamp(1 - (ttr - target) / (window - target), 0, 1);
        var value = Math.Round(50 * probe + 30 * availability + 20 * recovery, 1);
        return new ResilienceScore(value, Math.Round(probe, 4), Math.Round(availability, 4), Math.Round(recovery, 4));
    }
}
