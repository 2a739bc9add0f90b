namespace Bev.Chaos.Configuration;

/// <summary>The whole of <c>chaos_engineer.yaml</c>, validated. Defaults are safe and loopback only.</summary>
public sealed record ChaosConfiguration
{
    /// <summary><c>global:</c> how many experiments at once, how often safety is checked, how long faults may last.</summary>
    public GlobalSettings Global { get; init; } = new();

    /// <summary>Per-injector switches and caps, keyed by injector name.</summary>
    public IReadOnlyDictionary<string, InjectorSettings> FaultInjectors { get; init; } = new Dictionary<string, InjectorSettings>();

    /// <summary><c>integration:</c> the external auto-recovery system and health monitor (none unless configured).</summary>
    public IntegrationSettings Integration { get; init; } = new();

    /// <summary><c>safety:</c> production mode, approvals, and the abort thresholds of experiments without their own.</summary>
    public SafetySettings Safety { get; init; } = new();

    /// <summary>The service catalog, keyed by service name.</summary>
    public IReadOnlyDictionary<string, TargetDefinition> Targets { get; init; } = new Dictionary<string, TargetDefinition>();

    /// <summary>API bearer tokens and their roles (none: the API is open, and only on loopback).</summary>
    public IReadOnlyList<ApiToken> ApiTokens { get; init; } = [];

    /// <summary><c>proxy:</c> limits on the proxies created through the Toxiproxy-compatible API.</summary>
    public ProxySettings Proxy { get; init; } = new();

    /// <summary><c>agents:</c> the agents this engine drives as a controller, by name.</summary>
    public IReadOnlyDictionary<string, AgentDefinition> Agents { get; init; } = new Dictionary<string, AgentDefinition>();

    /// <summary><c>docker.host</c>: the Docker daemon for docker targets; null: <c>DOCKER_HOST</c>, else <c>unix:///var/run/docker.sock</c>.</summary>
    public string? DockerHost { get; init; }

    /// <summary>Recurring experiments (off unless configured).</summary>
    public IReadOnlyList<ScheduleDefinition> Schedules { get; init; } = [];

    /// <summary>The file this came from, for error messages; null for defaults.</summary>
    public string? SourceFile { get; init; }

    /// <summary>Where each value was written (key path → file:line and its text), for the validator's messages; empty when built in C#.</summary>
    internal IReadOnlyDictionary<string, ValueSource> Sources { get; init; } = new Dictionary<string, ValueSource>();

    /// <summary>The settings of one injector: configured ones, else enabled with no caps.</summary>
    public InjectorSettings InjectorSettingsFor(string injector) =>
        FaultInjectors.TryGetValue(injector, out var settings) ? settings : InjectorSettings.Default;
}

/// <summary><c>global:</c></summary>
public sealed record GlobalSettings
{
    /// <summary>At most this many experiments at once (<c>max_concurrent_experiments</c>, 1–100); one more is refused.</summary>
    public int MaxConcurrentExperiments { get; init; } = 3;

    /// <summary>
    /// <c>safety_check_interval</c>: running experiments take safety samples at the shorter of this and
    /// <see cref="SafetySettings.SafetyMonitoringInterval"/> (in YAML a plain number is seconds).
    /// </summary>
    public TimeSpan SafetyCheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Fraction (0–1) of targets unhealthy at which everything stops.</summary>
    public double EmergencyStopThreshold { get; init; } = 0.5;

    /// <summary>No fault lives longer than this, whatever its request says.</summary>
    public TimeSpan MaxFaultDuration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Used when neither the request nor the profile names a duration.</summary>
    public TimeSpan DefaultFaultDuration { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary><c>fault_injectors.&lt;name&gt;:</c></summary>
public sealed record InjectorSettings
{
    /// <summary>The settings of an injector not under <c>fault_injectors:</c>: enabled, with no caps.</summary>
    public static InjectorSettings Default { get; } = new();

    /// <summary><c>enabled</c>: false refuses every fault of this injector.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Caps on parameters (<c>max_cpu_load</c>, <c>max_delay_ms</c>, …) by key.</summary>
    public IReadOnlyDictionary<string, double> Caps { get; init; } = new Dictionary<string, double>();

    /// <summary>Cap on this injector's fault duration, below the global one.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Extra roots under which <c>disk_fill</c> may write.</summary>
    public IReadOnlyList<string> AllowedPaths { get; init; } = [];

    /// <summary>Where each cap was written (file:line), to name it in later errors.</summary>
    public IReadOnlyDictionary<string, string> CapLocations { get; init; } = new Dictionary<string, string>();
}

/// <summary><c>integration:</c></summary>
public sealed record IntegrationSettings
{
    /// <summary>Polled in every experiment's recovery phase until it reports healthy.</summary>
    public Uri? AutoRecoveryUrl { get; init; }

    /// <summary>Where in the auto-recovery answer the health is (<c>$.status</c>); null: any 2xx/3xx answer is healthy.</summary>
    public string? AutoRecoveryJsonPath { get; init; }

    /// <summary>The value at <see cref="AutoRecoveryJsonPath"/> that means healthy.</summary>
    public string AutoRecoveryExpected { get; init; } = "healthy";

    /// <summary><c>health_monitor_url</c>: the external health monitor, read at every safety check; null: none.</summary>
    public Uri? HealthMonitorUrl { get; init; }

    /// <summary>What a failed read of <see cref="HealthMonitorUrl"/> means (<c>health_monitor_unreachable</c>); default <c>breach_after:3</c>.</summary>
    public HealthMonitorUnreachablePolicy HealthMonitorUnreachable { get; init; } = HealthMonitorUnreachablePolicy.Default;
}

/// <summary><c>safety:</c></summary>
public sealed record SafetySettings
{
    /// <summary>
    /// <c>production_mode</c>: experiments above <c>Medium</c> wait for an approval, or are refused when
    /// <see cref="RequireApprovalForCritical"/> is off. Off by default.
    /// </summary>
    public bool ProductionMode { get; init; }

    /// <summary><c>require_approval_for_critical</c>: <c>Critical</c> experiments wait for an approval; on by default.</summary>
    public bool RequireApprovalForCritical { get; init; } = true;

    /// <summary>
    /// <c>auto_rollback_enabled</c>: a crossed threshold aborts the experiment and rolls it back; when off,
    /// crossed thresholds are ignored, all but <c>global.emergency_stop_threshold</c>. On by default.
    /// </summary>
    public bool AutoRollbackEnabled { get; init; } = true;

    /// <summary>How often a running experiment checks these thresholds (in YAML a plain number is seconds).</summary>
    public TimeSpan SafetyMonitoringInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Host CPU use in percent above which experiments abort.</summary>
    public double MaxCpuUsage { get; init; } = 95;

    /// <summary>Host memory use in percent above which experiments abort.</summary>
    public double MaxMemoryUsage { get; init; } = 90;

    /// <summary>
    /// Targets' error rate in percent (0–100, as the original writes <c>max_error_rate: 50.0</c>)
    /// above which experiments abort: the share of the experiment's recent probes that failed.
    /// </summary>
    public double MaxErrorRate { get; init; } = 50;

    /// <summary>Targets' response time above which experiments abort (in YAML a plain number is milliseconds: <c>5000.0</c>).</summary>
    public TimeSpan MaxResponseTime { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>One entry of <c>schedules:</c>: a scenario (or suite) run on a cron expression, in UTC.</summary>
public sealed record ScheduleDefinition(string Name, string Scenario, string Cron, bool Enabled = true);

/// <summary>What a token may do on the API.</summary>
public enum ApiRole
{
    /// <summary>Read everything.</summary>
    Viewer,

    /// <summary>Also inject and remove faults, run and stop experiments, emergency stop.</summary>
    Operator,

    /// <summary>Also release the safety lock.</summary>
    Admin,
}

/// <summary>One entry of <c>auth.tokens</c>: a named bearer token with a role.</summary>
public sealed record ApiToken(string Name, string Token, ApiRole Role);
