using Bev.Chaos.Experiments;

namespace Bev.Chaos.Resilience;

/// <summary>
/// A resilience test: constant-rate load against <see cref="LoadUrl"/> (by default the first target service's health URL) through seven phases —
/// preparation, baseline, stress (when <see cref="StressRate"/> is set), failure (the scenarios'
/// faults through <see cref="ChaosEngineer"/>), recovery, validation, analysis. The defaults keep
/// a test with one short scenario under two minutes.
/// </summary>
public sealed record ResilienceTestConfig
{
    /// <summary>The test's name in reports and JUnit suites; must not be blank.</summary>
    public required string Name { get; init; }

    /// <summary>Services that must resolve (catalog names or ad hoc targets) before anything runs.</summary>
    public IReadOnlyList<string> TargetServices { get; init; } = [];

    /// <summary>Scenario names from the library, run one after another in the failure phase.</summary>
    public IReadOnlyList<string> FailureScenarios { get; init; } = [];

    /// <summary>Experiments built in code, run after <see cref="FailureScenarios"/>.</summary>
    public IReadOnlyList<ExperimentConfig> FailureExperiments { get; init; } = [];

    /// <summary>Weight of each failure scenario in the score, by name; 1 when absent (LitmusChaos's probe weights).</summary>
    public IReadOnlyDictionary<string, double> ScenarioWeights { get; init; } = new Dictionary<string, double>();

    /// <summary>Percent of requests (0–100) that must succeed over failure, recovery and validation.</summary>
    public double AvailabilityThreshold { get; init; } = 95;

    /// <summary>
    /// The http:// URL the load and the availability figures are about; null (the default): the
    /// catalog <c>health_url</c> of the first of <see cref="TargetServices"/> that has one.
    /// </summary>
    public Uri? LoadUrl { get; init; }

    /// <summary>Requests per second in every phase but stress.</summary>
    public double Rate { get; init; } = 50;

    /// <summary>At most this many requests in flight.</summary>
    public int Connections { get; init; } = 64;

    /// <summary>A request slower than this counts as failed.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the load runs before any fault (10 s by default); later phases are compared with it.</summary>
    public TimeSpan BaselineDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Rate of the optional stress phase; null skips it.</summary>
    public double? StressRate { get; init; }

    /// <summary>How long the stress phase runs at <see cref="StressRate"/> (5 s by default); unused without one.</summary>
    public TimeSpan StressDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long after the last fault's removal the service may take to recover.</summary>
    public TimeSpan RecoveryWindow { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Recovered = this long without a failed or slow request.</summary>
    public TimeSpan SustainedSuccess { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Time to recover at or below this earns the whole recovery term of the score.</summary>
    public TimeSpan RecoveryTarget { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the load runs after recovery to compare with the baseline (10 s by default).</summary>
    public TimeSpan ValidationDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Validation passes when its p95 is within this percentage above the baseline's p95.</summary>
    public double LatencyTolerancePercent { get; init; } = 50;

    /// <summary>Confidence (0.5–0.9999) the statistics need before they say "degraded" or "not recovered".</summary>
    public double Confidence { get; init; } = 0.99;

    /// <summary>A median shift below this (ms) is never called a degradation, however significant.</summary>
    public double MinimumLatencyShiftMs { get; init; } = 1;

    /// <summary>Progress: called at every phase change (from the test's thread).</summary>
    public IProgress<ResilienceProgress>? Progress { get; init; }
}

/// <summary>A phase of a resilience test started: which, and the figures so far.</summary>
public sealed record ResilienceProgress(string Phase, DateTimeOffset Time, string Detail);
