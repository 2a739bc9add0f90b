namespace Bev.Chaos.Configuration;

/// <summary>How a catalog service is reached.</summary>
public enum TargetKind
{
    /// <summary>A local process: started and supervised by the engine, or found by pid file, pid or name.</summary>
    Process,

    /// <summary>A Docker container.</summary>
    Docker,

    /// <summary>A service on another host, reached through its agent.</summary>
    Agent,
}

/// <summary>When the supervisor restarts a managed process that exited.</summary>
public enum RestartPolicy
{
    /// <summary>Whenever it exits.</summary>
    Always,

    /// <summary>When it exits with a non-zero code or by a signal.</summary>
    OnFailure,

    /// <summary>Never.</summary>
    Never,
}

/// <summary>One entry of <c>targets:</c>.</summary>
public sealed record TargetDefinition
{
    /// <summary>The service's catalog name: its key under <c>targets:</c>, the name faults and probes use.</summary>
    public required string Name { get; init; }

    /// <summary><c>kind</c>: how the service is reached; default <c>process</c>.</summary>
    public TargetKind Kind { get; init; } = TargetKind.Process;

    /// <summary>argv of a managed process the engine starts and supervises.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary><c>working_directory</c> of a managed process; null: the engine's own.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary><c>environment</c>: variables set for a managed process, on top of those it inherits from the engine.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary><c>restart</c>: when the supervisor restarts a managed process that exited; default <c>on-failure</c>.</summary>
    public RestartPolicy Restart { get; init; } = RestartPolicy.OnFailure;

    /// <summary><c>restart_delay</c>: the pause between a managed process's exit and its restart; default 500 ms.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary><c>pid_file</c>: a file holding the pid of a process the engine does not start.</summary>
    public string? PidFile { get; init; }

    /// <summary><c>pid</c>: the process id of a running process the engine does not start.</summary>
    public int? Pid { get; init; }

    /// <summary><c>process_name</c>: every running process of that name (command or executable name).</summary>
    public string? ProcessName { get; init; }

    /// <summary>The TCP port the service listens on (loopback), for connection faults.</summary>
    public int? Port { get; init; }

    /// <summary>
    /// <c>health_url</c>: requested by probes and loads that name this target, and polled in the recovery
    /// phase; null: a probe naming the target checks its processes instead.
    /// </summary>
    public Uri? HealthUrl { get; init; }

    /// <summary><c>metrics_url</c>: the Prometheus text a prometheus probe naming this target scrapes; null: none.</summary>
    public Uri? MetricsUrl { get; init; }

    /// <summary>A protected target is never touched by any fault.</summary>
    public bool Protected { get; init; }

    /// <summary>Docker: container name or id.</summary>
    public string? Container { get; init; }

    /// <summary>Agent: the agent's name (a key of <c>agents:</c>).</summary>
    public string? Host { get; init; }

    /// <summary>Agent: the target on that agent's host (its catalog name, pid:N, name:X or docker:C).</summary>
    public string? Service { get; init; }

    /// <summary>Docker: at most this many of the selected running containers (by name order); null: all.</summary>
    public int? Count { get; init; }

    /// <summary>Docker: at most this share (1–100) of the selected running containers, at least one; null: all.</summary>
    public int? Percent { get; init; }

    /// <summary>
    /// The target's dependencies reached through the fault proxy, by dependency name: the target
    /// talks to <c>listen</c>, the proxy forwards to <c>upstream</c>. Network faults on the proxy
    /// act on exactly this traffic.
    /// </summary>
    public IReadOnlyDictionary<string, ProxyRoute> Proxies { get; init; } = new Dictionary<string, ProxyRoute>();

    /// <summary>Where the definition stands (file:line).</summary>
    public string? Location { get; init; }
}

/// <summary>
/// One proxied dependency: the address the target uses, the real one behind it, and what the
/// connections speak (<c>tcp</c>, <c>http</c>, <c>redis</c> or <c>postgres</c>): protocol faults
/// such as <c>http_abort</c> need the dependency's protocol.
/// </summary>
public sealed record ProxyRoute(string Listen, string Upstream, string Protocol = "tcp");
