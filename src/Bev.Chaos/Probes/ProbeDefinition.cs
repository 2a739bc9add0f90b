namespace Bev.Chaos.Probes;

/// <summary>What a probe checks.</summary>
public enum ProbeKind
{
    /// <summary>An HTTP request answered with an expected status (and body text).</summary>
    Http,

    /// <summary>A TCP connect.</summary>
    Tcp,

    /// <summary>A target's processes are alive and not stopped.</summary>
    Process,

    /// <summary>A command's exit code (and stdout) as expected.</summary>
    Command,

    /// <summary>A metric scraped from a Prometheus text exposition, compared with a threshold or only measured.</summary>
    Prometheus,
}

/// <summary>When a probe is evaluated during an experiment.</summary>
public enum ProbeMode
{
    /// <summary>In every phase: baseline, injection, recovery and validation.</summary>
    Continuous,

    /// <summary>In the baseline only: a precondition.</summary>
    Start,

    /// <summary>In recovery and validation only: a postcondition.</summary>
    End,

    /// <summary>Only while faults are active (the injection phase).</summary>
    DuringFault,
}

/// <summary>How a Prometheus probe compares the metric with its threshold.</summary>
public enum ProbeComparison
{
    /// <summary>The metric must be below the threshold (<c>&lt;</c>).</summary>
    LessThan,
    /// <summary>The metric must be at most the threshold (<c>&lt;=</c>).</summary>
    LessOrEqual,
    /// <summary>The metric must be above the threshold (<c>&gt;</c>).</summary>
    GreaterThan,
    /// <summary>The metric must be at least the threshold (<c>&gt;=</c>).</summary>
    GreaterOrEqual,
    /// <summary>The metric must equal the threshold exactly (<c>==</c>).</summary>
    Equal,
    /// <summary>The metric must differ from the threshold (<c>!=</c>).</summary>
    NotEqual,
}

/// <summary>A steady-state probe: validated, immutable.</summary>
public sealed record ProbeDefinition
{
    /// <summary>The name its results are reported under.</summary>
    public required string Name { get; init; }

    /// <summary>What it checks; each kind reads only the properties marked with its name.</summary>
    public required ProbeKind Kind { get; init; }

    /// <summary>When it is evaluated (in every phase by default).</summary>
    public ProbeMode Mode { get; init; } = ProbeMode.Continuous;

    /// <summary>Http and Prometheus: the URL (loopback or a namespace of the test's own).</summary>
    public Uri? Url { get; init; }

    /// <summary>Http: the method (GET by default).</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Http: request headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Http: a regular expression the body must match.</summary>
    public System.Text.RegularExpressions.Regex? BodyRegex { get; init; }

    /// <summary>Command: argv, run without a shell.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Command: the exit code that means success.</summary>
    public int ExpectedExitCode { get; init; }

    /// <summary>Command: a regular expression stdout must match.</summary>
    public System.Text.RegularExpressions.Regex? StdoutRegex { get; init; }

    /// <summary>Prometheus: <c>name</c> or <c>name{label="value",…}</c>; the values of every matching sample are summed.</summary>
    public string? Metric { get; init; }

    /// <summary>Prometheus: how the metric is compared with <see cref="Threshold"/> (<c>&lt;=</c> by default).</summary>
    public ProbeComparison Comparison { get; init; } = ProbeComparison.LessOrEqual;

    /// <summary>Prometheus: the value the metric is compared with; unused when <see cref="MeasureOnly"/>.</summary>
    public double Threshold { get; init; }

    /// <summary>
    /// Prometheus without <c>op</c> and <c>threshold</c>: the metric is only measured — read every
    /// round, its change per phase reported in <see cref="Experiments.ExperimentResult.MetricChanges"/> —
    /// and the probe fails only when the metric cannot be read.
    /// </summary>
    public bool MeasureOnly { get; init; }

    /// <summary>Http: accepted status codes (inclusive range).</summary>
    public int ExpectedStatusMin { get; init; } = 200;

    /// <summary>Http: the highest accepted status code (200 to 399 by default).</summary>
    public int ExpectedStatusMax { get; init; } = 399;

    /// <summary>Http: text the body must contain.</summary>
    public string? BodyContains { get; init; }

    /// <summary>Http: a JSONPath into the body (<c>$.status</c>) whose value must equal <see cref="JsonExpected"/>.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Http: the value at <see cref="JsonPath"/> as text (a string without quotes); null for no JSON check.</summary>
    public string? JsonExpected { get; init; }

    /// <summary>Tcp: host and port.</summary>
    public string? Host { get; init; }

    /// <summary>Tcp: the port to connect to on <see cref="Host"/>.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Process: the target name. Http without <see cref="Url"/>: the catalog service whose
    /// <c>health_url</c> is requested; Prometheus without <see cref="Url"/>: the one whose
    /// <c>metrics_url</c> is scraped (see <see cref="ForCatalog"/>), so a scenario names targets, not ports.
    /// </summary>
    public string? Target { get; init; }

    /// <summary>How long one evaluation may take before it fails (2 s by default); a command still running is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>True for an http or prometheus probe that names a target instead of a URL.</summary>
    public bool IsTargetProbe => Kind is ProbeKind.Http or ProbeKind.Prometheus && Url is null && !string.IsNullOrEmpty(Target);

    /// <summary>
    /// This probe with its target looked up in <paramref name="catalog"/>: an http probe that names a
    /// target requests that target's <c>health_url</c>; when the target has none (an ad-hoc
    /// <c>pid:N</c>, <c>name:P</c>, <c>docker:C</c>, or a catalog entry without one) it checks the
    /// target's processes instead (alive, not stopped). A prometheus probe that names a target
    /// scrapes its <c>metrics_url</c>; without one it keeps no URL, which validation reports. Any
    /// other probe is returned as it is.
    /// </summary>
    public ProbeDefinition ForCatalog(IReadOnlyDictionary<string, Configuration.TargetDefinition> catalog) =>
        !IsTargetProbe ? this
        : Kind == ProbeKind.Prometheus ? (catalog.TryGetValue(Target!, out var scraped) && scraped.MetricsUrl is { } metrics ? this with { Url = metrics } : this)
        : catalog.TryGetValue(Target!, out var target) && target.HealthUrl is { } health ? this with { Url = health }
        : this with { Kind = ProbeKind.Process };
}
