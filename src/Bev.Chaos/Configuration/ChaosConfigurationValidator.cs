using System.Globalization;
using Bev.Chaos.Proxy;

namespace Bev.Chaos.Configuration;

/// <summary>
/// Checks a whole <see cref="ChaosConfiguration"/>, however it was built (YAML, C#), and reports
/// every problem at once, each with its key path (<c>global.max_concurrent_experiments</c>), the
/// value and what is allowed — and the file and line when the value came from a file.
/// </summary>
public static class ChaosConfigurationValidator
{
    internal const string HttpUrlAllowed = "an absolute http:// or https:// URL";
    internal const string HostPortAllowed = "HOST:PORT, e.g. 127.0.0.1:16379";
    internal const string CronAllowed = "a cron expression (5 fields, UTC), e.g. \"0 3 * * *\"";

    internal static readonly string ApiTokenAllowed =
        $"a secret of {ConfigurationLimits.MinTokenLength} characters or more (token, or token_env naming a set environment variable)";

    internal static readonly string AgentTokenAllowed =
        $"the agent's secret of {ConfigurationLimits.MinTokenLength} characters or more (token, or token_env naming a set environment variable)";

    /// <summary>Throws when anything in <paramref name="configuration"/> is out of range or inconsistent.</summary>
    /// <exception cref="ChaosValidationException">Every problem found, not only the first.</exception>
    public static void Validate(ChaosConfiguration configuration)
    {
        var errors = Check(configuration);
        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }
    }

    /// <summary>Every problem in <paramref name="configuration"/>; empty when it is valid.</summary>
    public static IReadOnlyList<ValidationError> Check(ChaosConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var c = new Collector(configuration.Sources);
        c.Count("targets", configuration.Targets.Count, ConfigurationLimits.MaxTargets);
        c.Count("fault_injectors", configuration.FaultInjectors.Count, ConfigurationLimits.MaxEntries);
        c.Count("agents", configuration.Agents.Count, ConfigurationLimits.MaxEntries);
        c.Count("auth.tokens", configuration.ApiTokens.Count, ConfigurationLimits.MaxEntries);
        c.Count("schedules", configuration.Schedules.Count, ConfigurationLimits.MaxEntries);
        CheckGlobal(c, configuration.Global);
        CheckInjectors(c, configuration.FaultInjectors);
        CheckIntegration(c, configuration.Integration);
        CheckSafety(c, configuration.Safety, "safety");
        CheckTargets(c, configuration.Targets);
        CheckSchedules(c, configuration.Schedules);
        CheckTokens(c, configuration.ApiTokens);
        CheckDockerHost(c, configuration.DockerHost);
        CheckAgents(c, configuration.Agents);
        return c.Errors;
    }

    /// <summary>Every problem in one set of safety thresholds (<c>safety:</c>, or an experiment's <c>abort_conditions</c>) under <paramref name="path"/>.</summary>
    public static IReadOnlyList<ValidationError> Check(SafetySettings safety, string path)
    {
        ArgumentNullException.ThrowIfNull(safety);
        var c = new Collector(null);
        CheckSafety(c, safety, path);
        return c.Errors;
    }

    private static void CheckGlobal(Collector c, GlobalSettings g)
    {
        c.Number("global.max_concurrent_experiments", g.MaxConcurrentExperiments, ConfigurationLimits.MaxConcurrentExperiments);
        c.Duration("global.safety_check_interval", g.SafetyCheckInterval, ConfigurationLimits.SafetyCheckInterval);
        c.Number("global.emergency_stop_threshold", g.EmergencyStopThreshold, ConfigurationLimits.EmergencyStopThreshold);
        c.Duration("global.max_fault_duration", g.MaxFaultDuration, ConfigurationLimits.MaxFaultDuration);
        c.Duration("global.default_fault_duration", g.DefaultFaultDuration, ConfigurationLimits.DefaultFaultDuration);
    }

    private static void CheckInjectors(Collector c, IReadOnlyDictionary<string, InjectorSettings> injectors)
    {
        foreach (var (name, settings) in injectors)
        {
            var path = $"fault_injectors.{name}";
            foreach (var (key, cap) in settings.Caps)
            {
                c.Number($"{path}.{key}", cap, ConfigurationLimits.InjectorCap);
            }

            if (settings.MaxDuration is { } max)
            {
                c.Duration($"{path}.max_duration", max, ConfigurationLimits.InjectorMaxDuration);
            }
        }
    }

    private static void CheckIntegration(Collector c, IntegrationSettings i)
    {
        c.HttpUrl("integration.auto_recovery_url", i.AutoRecoveryUrl);
        c.HttpUrl("integration.health_monitor_url", i.HealthMonitorUrl);
    }

    private static void CheckSafety(Collector c, SafetySettings s, string path)
    {
        c.Duration($"{path}.safety_monitoring_interval", s.SafetyMonitoringInterval, ConfigurationLimits.SafetyMonitoringInterval);
        c.Number($"{path}.max_cpu_usage", s.MaxCpuUsage, ConfigurationLimits.MaxCpuUsage);
        c.Number($"{path}.max_memory_usage", s.MaxMemoryUsage, ConfigurationLimits.MaxMemoryUsage);
        c.Number($"{path}.max_error_rate", s.MaxErrorRate, ConfigurationLimits.MaxErrorRate);
        c.Duration($"{path}.max_response_time", s.MaxResponseTime, ConfigurationLimits.MaxResponseTime);
    }

    private static void CheckTargets(Collector c, IReadOnlyDictionary<string, TargetDefinition> targets)
    {
        foreach (var (name, t) in targets)
        {
            var path = $"targets.{name}";
            if (name.Length == 0 || name.Contains(':', StringComparison.Ordinal))
            {
                c.Exact(path, name, "a service name without ':' (pid:, name:, docker:, agent: are ad hoc target forms)");
            }

            c.Duration($"{path}.restart_delay", t.RestartDelay, ConfigurationLimits.RestartDelay);
            c.Number($"{path}.pid", t.Pid, ConfigurationLimits.Pid);
            c.Number($"{path}.port", t.Port, ConfigurationLimits.Port);
            c.Number($"{path}.count", t.Count, ConfigurationLimits.Count);
            c.Number($"{path}.percent", t.Percent, ConfigurationLimits.Percent);
            c.HttpUrl($"{path}.health_url", t.HealthUrl);
            c.HttpUrl($"{path}.metrics_url", t.MetricsUrl);
            foreach (var (dependency, route) in t.Proxies)
            {
                foreach (var (key, value) in new[] { ("listen", route.Listen), ("upstream", route.Upstream) })
                {
                    if (!IsHostPort(value))
                    {
                        c.Value($"{path}.proxy.{dependency}.{key}", string.IsNullOrEmpty(value) ? null : value, HostPortAllowed);
                    }
                }

                if (!ProxyProtocols.Allowed.Split(", ").Contains(route.Protocol, StringComparer.Ordinal))
                {
                    c.Value($"{path}.proxy.{dependency}.protocol", route.Protocol, ProxyProtocols.Allowed + " (what the dependency's connections speak; protocol faults need it)");
                }
            }

            var ways = new[] { t.Command is not null, t.PidFile is not null, t.Pid is not null, t.ProcessName is not null }.Count(b => b);
            if (t.Kind == TargetKind.Docker && string.IsNullOrEmpty(t.Container))
            {
                c.Exact($"{path}.container", null, "the container to select: a name, an id, or label:KEY=VALUE");
            }

            if (t.Kind == TargetKind.Agent && string.IsNullOrEmpty(t.Host))
            {
                c.Exact($"{path}.host", null, "the agent's name (a key of agents:)");
            }
            else if (t.Kind == TargetKind.Agent && string.IsNullOrEmpty(t.Service))
            {
                c.Exact($"{path}.service", null, "the target on that agent's host: its catalog name, pid:N, name:X or docker:C");
            }

            if (t.Kind == TargetKind.Process && ways != 1)
            {
                c.Exact(path, ways == 0 ? null : $"{ways} ways", "exactly one of command, pid_file, pid, process_name");
            }
        }
    }

    private static void CheckSchedules(Collector c, IReadOnlyList<ScheduleDefinition> schedules)
    {
        for (var i = 0; i < schedules.Count; i++)
        {
            var s = schedules[i];
            foreach (var (key, value) in new[] { ("name", s.Name), ("scenario", s.Scenario), ("cron", s.Cron) })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    c.Value($"schedules[{i}].{key}", NullIfEmpty(value), key == "cron" ? CronAllowed : "a non-empty value");
                }
            }

            if (!string.IsNullOrWhiteSpace(s.Cron) && !Cronos.CronExpression.TryParse(s.Cron, out _))
            {
                c.Value($"schedules[{i}].cron", s.Cron, CronAllowed);
            }
        }
    }

    private static void CheckTokens(Collector c, IReadOnlyList<ApiToken> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var path = $"auth.tokens[{i}]";
            if (string.IsNullOrEmpty(tokens[i].Name))
            {
                c.Value($"{path}.name", NullIfEmpty(tokens[i].Name), "a name for the audit log");
            }

            c.Secret(path, tokens[i].Token, ApiTokenAllowed);
        }
    }

    private static void CheckDockerHost(Collector c, string? host)
    {
        if (host is not null && !(Uri.TryCreate(host, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" or "http"))
        {
            c.Value("docker.host", host, "unix:///PATH/docker.sock, or tcp://HOST:PORT");
        }
    }

    private static void CheckAgents(Collector c, IReadOnlyDictionary<string, AgentDefinition> agents)
    {
        foreach (var (name, a) in agents)
        {
            var path = $"agents.{name}";
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal))
            {
                c.Exact(path, name, "an agent name without '/' or ':'");
            }

            c.HttpUrl($"{path}.url", a.Url);
            c.Secret(path, a.Token, AgentTokenAllowed);
            c.Duration($"{path}.lease", a.Lease, ConfigurationLimits.AgentLease);
        }
    }

    private static bool IsHostPort(string? text)
    {
        var colon = text?.LastIndexOf(':') ?? -1;
        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>Collects errors, naming each value as it was written and where, when a file gave it.</summary>
    private sealed class Collector(IReadOnlyDictionary<string, ValueSource>? sources)
    {
        public List<ValidationError> Errors { get; } = [];

        public void Count(string path, int count, int max)
        {
            if (count > max)
            {
                Exact(path, $"{count} entries", $"at most {max} entries");
            }
        }

        public void Number(string path, double? value, NumberLimit limit)
        {
            if (value is { } v && !(limit.Contains(v) && (limit.Kind != NumberKind.Whole || v == Math.Floor(v))))
            {
                Value(path, NumberLimit.F(v), limit.Allowed);
            }
        }

        public void Duration(string path, TimeSpan value, DurationLimit limit)
        {
            if (!limit.Contains(value))
            {
                Value(path, value < TimeSpan.Zero ? "-" + DurationText.Format(value.Negate()) : DurationText.Format(value), limit.Allowed);
            }
        }

        public void HttpUrl(string path, Uri? url)
        {
            if (url is not null && !(url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
            {
                Value(path, url.OriginalString, HttpUrlAllowed);
            }
        }

        // A secret is never echoed: the key that gave it (token, or the token_env naming it) is.
        public void Secret(string path, string? token, string allowed)
        {
            if (token is not null && token.Length >= ConfigurationLimits.MinTokenLength)
            {
                return;
            }

            if (sources is not null && !sources.ContainsKey(path + ".token") && sources.TryGetValue(path + ".token_env", out var env))
            {
                Add(path + ".token_env", env.Text, allowed, env.Location);
            }
            else
            {
                Exact(path + ".token", string.IsNullOrEmpty(token) ? null : "(too short)", allowed);
            }
        }

        /// <summary>A scalar value: named as the file wrote it when a file gave it.</summary>
        public void Value(string path, string? value, string allowed)
        {
            var source = Find(path);
            Add(path, source is { } s && s.Path == path ? s.Source.Text : value, allowed, source?.Source.Location);
        }

        /// <summary>A value described by the caller (a count, a mapping's problem): never the text of the file.</summary>
        public void Exact(string path, string? value, string allowed) => Add(path, value, allowed, Find(path)?.Source.Location);

        private void Add(string path, string? value, string allowed, string? location) =>
            Errors.Add(new ValidationError(path, value, allowed, location));

        // The value's own entry, else the nearest enclosing one (a missing key is where its mapping is).
        private (string Path, ValueSource Source)? Find(string path)
        {
            if (sources is null || sources.Count == 0)
            {
                return null;
            }

            for (var p = path; p.Length > 0; p = Parent(p))
            {
                if (sources.TryGetValue(p, out var source))
                {
                    return (p, source);
                }
            }

            return null;
        }

        private static string Parent(string path)
        {
            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            return cut <= 0 ? string.Empty : path[..cut];
        }
    }
}
