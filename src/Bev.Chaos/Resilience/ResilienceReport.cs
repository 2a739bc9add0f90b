namespace Bev.Chaos.Resilience;

/// <summary>
/// Everything a resilience test measured and concluded: the JSON journal (schema in
/// docs/resilience.md, <see cref="SchemaVersion"/>), and the source of the HTML and JUnit reports.
/// </summary>
public sealed record ResilienceReport
{
    /// <summary>The schema version this library writes, and the only one <see cref="Reporting.ReportJson.Read"/> accepts.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The version of the JSON schema (docs/resilience.md) the report follows.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The resilience test's name (for an experiment run without load, the experiment's).</summary>
    public required string Name { get; init; }

    /// <summary>passed, failed, or error (the test could not run: preparation failed).</summary>
    public required ResilienceVerdict Verdict { get; init; }

    /// <summary>Every reason for the verdict (every failed check), or what held.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    /// <summary>When the test started, as its preparation began.</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>When the measuring ended and analysis began (when preparation failed: as it ended).</summary>
    public required DateTimeOffset Ended { get; init; }

    /// <summary>The URL the load was sent to; for an experiment run without load, a note saying so.</summary>
    public required string LoadUrl { get; init; }

    /// <summary>The load's rate in requests per second, stress phase aside; 0 for an experiment run without load.</summary>
    public double Rate { get; init; }

    /// <summary>Percent of requests (0–100) that had to succeed from the first injection to the end.</summary>
    public double AvailabilityThreshold { get; init; }

    /// <summary>The resilience score; null when a resilience test could not run (its preparation failed).</summary>
    public ResilienceScore? Score { get; init; }

    /// <summary>The load's figures per phase, in the order they ran.</summary>
    public IReadOnlyList<PhaseMetrics> Phases { get; init; } = [];

    /// <summary>Every fault the failure scenarios injected, with when it was injected and removed (if it was).</summary>
    public IReadOnlyList<FaultWindow> Faults { get; init; } = [];

    /// <summary>Each failure scenario's outcome, in the order they ran.</summary>
    public IReadOnlyList<ScenarioOutcome> Scenarios { get; init; } = [];

    /// <summary>From the first injection to the first failed or slow request; null when nothing was noticed.</summary>
    public double? TimeToDetectMs { get; init; }

    /// <summary>From the last removal to the start of sustained success; null when it never recovered in the window.</summary>
    public double? TimeToRecoverMs { get; init; }

    /// <summary>From the last removal until the auto-recovery system (<c>integration.auto_recovery_url</c>) reported healthy, in ms; null without one, or when it never did.</summary>
    public double? AutoRecoveryResponseMs { get; init; }

    /// <summary>Spans of consecutive failed requests.</summary>
    public IReadOnlyList<OutageWindow> Outages { get; init; } = [];

    /// <summary>Latency statistics: failure against baseline ("degraded"), validation against baseline ("not recovered").</summary>
    public IReadOnlyList<LatencyComparison> Comparisons { get; init; } = [];

    /// <summary>Per second of the whole test.</summary>
    public IReadOnlyList<SeriesPoint> Series { get; init; } = [];

    /// <summary>Each validation check and whether it held (JUnit test cases).</summary>
    public IReadOnlyList<ResilienceCheck> Checks { get; init; } = [];
}

/// <summary>How a resilience test ended (lower-case in JSON).</summary>
public enum ResilienceVerdict
{
    /// <summary>Every validation check held (for an experiment: it passed).</summary>
    Passed,
    /// <summary>At least one validation check failed (for an experiment: it failed).</summary>
    Failed,
    /// <summary>The test could not run (preparation found a problem); for an experiment, it was aborted or interrupted.</summary>
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

/// <summary>A span of consecutive failed requests.</summary>
/// <param name="Start">When the first of them was due.</param>
/// <param name="End">When the last of them was due.</param>
/// <param name="FailedRequests">How many requests failed in a row.</param>
public sealed record OutageWindow(DateTimeOffset Start, DateTimeOffset End, long FailedRequests);

/// <summary>One second: requests due in it, how many failed, latency percentiles (ms).</summary>
public sealed record SeriesPoint(double Second, long Requests, long Errors, double P50Ms, double P99Ms);

/// <summary>One validation check: a JUnit test case.</summary>
/// <param name="Name">What it checks: <c>availability</c>, <c>recovered</c>, <c>scenario NAME</c>, ….</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Detail">What was measured against what was required, in words.</param>
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
    /// <summary>
    /// The score, as the type's summary describes: <paramref name="availabilityPercent"/> and <paramref name="thresholdPercent"/>
    /// are 0–100; <paramref name="timeToRecover"/> is null when the service did not recover. With no scenario weight, the probe term
    /// is the availability.
    /// </summary>
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
