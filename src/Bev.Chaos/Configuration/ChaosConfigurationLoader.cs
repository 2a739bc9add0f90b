using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bev.Chaos.Configuration;

/// <summary>
/// Loads <c>chaos_engineer.yaml</c> strictly: every problem (unknown key, wrong type, value out
/// of range) is collected with file, line, key, value and what is allowed, then thrown together.
/// </summary>
public static class ChaosConfigurationLoader
{
    private static readonly Dictionary<string, TargetKind> Kinds = new(StringComparer.Ordinal)
    {
        ["process"] = TargetKind.Process, ["docker"] = TargetKind.Docker, ["agent"] = TargetKind.Agent,
    };

    private static readonly Dictionary<string, RestartPolicy> Policies = new(StringComparer.Ordinal)
    {
        ["always"] = RestartPolicy.Always, ["on-failure"] = RestartPolicy.OnFailure, ["never"] = RestartPolicy.Never,
    };

    /// <summary>Loads and validates a file.</summary>
    /// <exception cref="ChaosValidationException">Every problem in the file.</exception>
    public static ChaosConfiguration LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ChaosValidationException("--config", path, "an existing YAML file");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates YAML text; <paramref name="fileName"/> names it in errors.</summary>
    /// <exception cref="ChaosValidationException">Every problem in the text.</exception>
    public static ChaosConfiguration Parse(string yaml, string fileName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ChaosValidationException([new ValidationError("(yaml)", null, "well-formed YAML: " + ex.InnerException?.Message ?? ex.Message, $"{fileName}:{ex.Start.Line}")]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new ChaosConfiguration { SourceFile = fileName };
        }

        var errors = new List<ValidationError>();
        if (stream.Documents[0].RootNode is not YamlMappingNode rootNode)
        {
            throw new ChaosValidationException([new ValidationError("(root)", YamlSection.Describe(stream.Documents[0].RootNode), "a mapping with global, fault_injectors, integration, safety, targets", $"{fileName}:1")]);
        }

        var root = new YamlSection(rootNode, string.Empty, fileName, errors);
        var config = new ChaosConfiguration
        {
            SourceFile = fileName,
            Global = ReadGlobal(root.Section("global")),
            FaultInjectors = ReadInjectors(root.Section("fault_injectors")),
            Integration = ReadIntegration(root.Section("integration")),
            Safety = ReadSafety(root.Section("safety")),
            Targets = ReadTargets(root.Section("targets")),
            Schedules = ReadSchedules(root),
            ApiTokens = ReadTokens(root.Section("auth")),
            DockerHost = ReadDockerHost(root.Section("docker")),
            Agents = ReadAgents(root.Section("agents")),
        };
        root.Finish();

        return errors.Count > 0 ? throw new ChaosValidationException(errors) : config;
    }

    private static GlobalSettings ReadGlobal(YamlSection? s)
    {
        var d = new GlobalSettings();
        if (s is null)
        {
            return d;
        }

        var result = new GlobalSettings
        {
            MaxConcurrentExperiments = s.Int("max_concurrent_experiments", d.MaxConcurrentExperiments, 1, 100),
            SafetyCheckInterval = s.Duration("safety_check_interval", d.SafetyCheckInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            EmergencyStopThreshold = s.Double("emergency_stop_threshold", d.EmergencyStopThreshold, 0, 1),
            MaxFaultDuration = s.Duration("max_fault_duration", d.MaxFaultDuration, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            DefaultFaultDuration = s.Duration("default_fault_duration", d.DefaultFaultDuration, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
        };
        s.Finish();
        return result;
    }

    private static Dictionary<string, InjectorSettings> ReadInjectors(YamlSection? s)
    {
        var result = new Dictionary<string, InjectorSettings>(StringComparer.Ordinal);
        if (s is null)
        {
            return result;
        }

        foreach (var (name, node) in s.Entries())
        {
            if (node is not YamlMappingNode mapping)
            {
                s.Error(name, node, YamlSection.Describe(node), "a mapping with enabled and caps (max_…)");
                continue;
            }

            var section = new YamlSection(mapping, s.KeyPath(name), s.File, s.Errors);
            var caps = new Dictionary<string, double>(StringComparer.Ordinal);
            var locations = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in section.Entries().ToList())
            {
                if (key.StartsWith("max_", StringComparison.Ordinal) && key != "max_duration")
                {
                    caps[key] = section.Double(key, 0, 0, 1e12);
                    locations[key] = section.Where(value);
                }
            }

            result[name] = new InjectorSettings
            {
                Enabled = section.Bool("enabled", true),
                MaxDuration = section.Has("max_duration") ? section.Duration("max_duration", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)) : null,
                AllowedPaths = section.StringList("allowed_paths") ?? [],
                Caps = caps,
                CapLocations = locations,
            };
        }

        return result;
    }

    private static IntegrationSettings ReadIntegration(YamlSection? s)
    {
        if (s is null)
        {
            return new IntegrationSettings();
        }

        var result = new IntegrationSettings
        {
            AutoRecoveryUrl = ReadUrl(s, "auto_recovery_url"),
            AutoRecoveryJsonPath = s.String("auto_recovery_json_path"),
            AutoRecoveryExpected = s.String("auto_recovery_expected") ?? "healthy",
            HealthMonitorUrl = ReadUrl(s, "health_monitor_url"),
            HealthMonitorUnreachable = ReadUnreachable(s),
        };
        s.Finish();
        return result;
    }

    private static HealthMonitorUnreachablePolicy ReadUnreachable(YamlSection s)
    {
        var text = s.String("health_monitor_unreachable");
        if (text is null)
        {
            return HealthMonitorUnreachablePolicy.Default;
        }

        if (HealthMonitorUnreachablePolicy.TryParse(text, out var policy))
        {
            return policy;
        }

        s.Error("health_monitor_unreachable", s.Find("health_monitor_unreachable"), text, HealthMonitorUnreachablePolicy.Allowed);
        return HealthMonitorUnreachablePolicy.Default;
    }

    private static SafetySettings ReadSafety(YamlSection? s)
    {
        var d = new SafetySettings();
        if (s is null)
        {
            return d;
        }

        var result = new SafetySettings
        {
            ProductionMode = s.Bool("production_mode", d.ProductionMode),
            RequireApprovalForCritical = s.Bool("require_approval_for_critical", d.RequireApprovalForCritical),
            AutoRollbackEnabled = s.Bool("auto_rollback_enabled", d.AutoRollbackEnabled),
            SafetyMonitoringInterval = s.Duration("safety_monitoring_interval", d.SafetyMonitoringInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            MaxCpuUsage = s.Double("max_cpu_usage", d.MaxCpuUsage, 1, 100),
            MaxMemoryUsage = s.Double("max_memory_usage", d.MaxMemoryUsage, 1, 100),
            MaxErrorRate = s.Double("max_error_rate", d.MaxErrorRate, 0, 1),
            MaxResponseTime = s.Duration("max_response_time", d.MaxResponseTime, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10)),
        };
        s.Finish();
        return result;
    }

    private static Dictionary<string, TargetDefinition> ReadTargets(YamlSection? s)
    {
        var result = new Dictionary<string, TargetDefinition>(StringComparer.Ordinal);
        if (s is null)
        {
            return result;
        }

        foreach (var (name, node) in s.Entries())
        {
            if (node is not YamlMappingNode mapping)
            {
                s.Error(name, node, YamlSection.Describe(node), "a mapping with kind and how to find the service");
                continue;
            }

            if (name.Contains(':', StringComparison.Ordinal) || name.Length == 0)
            {
                s.Error(name, node, name, "a service name without ':' (pid:, name:, docker:, agent: are ad hoc target forms)");
            }

            var t = new YamlSection(mapping, s.KeyPath(name), s.File, s.Errors);
            var commandNode = t.Find("command");
            IReadOnlyList<string>? command = commandNode switch
            {
                null => null,
                YamlScalarNode scalar when !YamlSection.IsNull(scalar) => ["/bin/sh", "-c", scalar.Value!],
                YamlSequenceNode => t.StringList("command"),
                _ => null,
            };
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            if (t.Section("environment") is { } env)
            {
                foreach (var (key, value) in env.Entries())
                {
                    environment[key] = value is YamlScalarNode sv ? sv.Value ?? string.Empty : string.Empty;
                }
            }

            var proxies = new Dictionary<string, ProxyRoute>(StringComparer.Ordinal);
            if (t.Section("proxy") is { } proxySection)
            {
                foreach (var (dependency, routeNode) in proxySection.Entries().ToList())
                {
                    if (routeNode is not YamlMappingNode routeMapping)
                    {
                        proxySection.Error(dependency, routeNode, YamlSection.Describe(routeNode), "a mapping with listen and upstream (HOST:PORT)");
                        continue;
                    }

                    var route = new YamlSection(routeMapping, proxySection.KeyPath(dependency), s.File, s.Errors);
                    var listen = route.String("listen");
                    var upstream = route.String("upstream");
                    foreach (var (key, value) in new[] { ("listen", listen), ("upstream", upstream) })
                    {
                        if (value is null || !IsHostPort(value))
                        {
                            route.Error(key, route.Find(key), value, "HOST:PORT, e.g. 127.0.0.1:16379");
                        }
                    }

                    route.Finish();
                    proxies[dependency] = new ProxyRoute(listen ?? string.Empty, upstream ?? string.Empty);
                }
            }

            var definition = new TargetDefinition
            {
                Proxies = proxies,
                Name = name,
                Location = t.Location,
                Kind = t.Enum("kind", TargetKind.Process, Kinds),
                Command = command,
                WorkingDirectory = t.String("working_directory"),
                Environment = environment,
                Restart = t.Enum("restart", RestartPolicy.OnFailure, Policies),
                RestartDelay = t.Duration("restart_delay", TimeSpan.FromMilliseconds(500), TimeSpan.Zero, TimeSpan.FromMinutes(10)),
                PidFile = t.String("pid_file"),
                Pid = t.OptionalInt("pid", 1, int.MaxValue),
                ProcessName = t.String("process_name"),
                Port = t.OptionalInt("port", 1, 65535),
                HealthUrl = ReadUrl(t, "health_url"),
                MetricsUrl = ReadUrl(t, "metrics_url"),
                Protected = t.Bool("protected", false),
                Container = t.String("container"),
                Host = t.String("host"),
                Service = t.String("service"),
                Count = t.OptionalInt("count", 1, 10_000),
                Percent = t.OptionalInt("percent", 1, 100),
            };
            t.Finish();

            var ways = new[] { definition.Command is not null, definition.PidFile is not null, definition.Pid is not null, definition.ProcessName is not null }.Count(b => b);
            if (definition.Kind == TargetKind.Docker && string.IsNullOrEmpty(definition.Container))
            {
                s.Errors.Add(new ValidationError(s.KeyPath(name) + ".container", null, "the container to select: a name, an id, or label:KEY=VALUE", t.Location));
            }

            if (definition.Kind == TargetKind.Agent && (string.IsNullOrEmpty(definition.Host) || string.IsNullOrEmpty(definition.Service)))
            {
                s.Errors.Add(new ValidationError(s.KeyPath(name) + (string.IsNullOrEmpty(definition.Host) ? ".host" : ".service"), null,
                    string.IsNullOrEmpty(definition.Host) ? "the agent's name (a key of agents:)" : "the target on that agent's host: its catalog name, pid:N, name:X or docker:C", t.Location));
            }

            if (definition.Kind == TargetKind.Process && ways != 1)
            {
                s.Errors.Add(new ValidationError(s.KeyPath(name), ways == 0 ? null : $"{ways} ways", "exactly one of command, pid_file, pid, process_name", t.Location));
            }

            result[name] = definition;
        }

        return result;
    }

    private static string? ReadDockerHost(YamlSection? docker)
    {
        if (docker is null)
        {
            return null;
        }

        var host = docker.String("host");
        if (host is not null && !(Uri.TryCreate(host, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" or "http"))
        {
            docker.Error("host", docker.Find("host"), host, "unix:///PATH/docker.sock, or tcp://HOST:PORT");
            host = null;
        }

        docker.Finish();
        return host;
    }

    private static Dictionary<string, AgentDefinition> ReadAgents(YamlSection? agents)
    {
        var result = new Dictionary<string, AgentDefinition>(StringComparer.Ordinal);
        if (agents is null)
        {
            return result;
        }

        foreach (var (name, _) in agents.Entries().ToList())
        {
            if (agents.Section(name) is not { } a)
            {
                continue;
            }

            var url = ReadUrl(a, "url");
            var fromEnv = a.String("token_env");
            var token = a.String("token") ?? (fromEnv is null ? null : Environment.GetEnvironmentVariable(fromEnv));
            var lease = a.Duration("lease", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
            if (url is null)
            {
                a.Error("url", a.Find("url"), null, "the agent's http:// address");
            }

            if (token is null || token.Length < 16)
            {
                a.Error(fromEnv is null ? "token" : "token_env", a.Find(fromEnv is null ? "token" : "token_env"), fromEnv ?? (token is null ? null : "(too short)"),
                    "the agent's secret of 16 characters or more (token, or token_env naming a set environment variable)");
            }

            if (name.Contains('/', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal))
            {
                agents.Error(name, null, name, "an agent name without '/' or ':'");
            }

            a.Finish();
            if (url is not null && token is not null)
            {
                result[name] = new AgentDefinition(name, url, token, lease);
            }
        }

        return result;
    }

    private static List<ApiToken> ReadTokens(YamlSection? auth)
    {
        var result = new List<ApiToken>();
        if (auth is null)
        {
            return result;
        }

        var roles = Enum.GetValues<ApiRole>().ToDictionary(r => r.ToString().ToLowerInvariant());
        foreach (var t in auth.Items("tokens", "a list of {name, token or token_env, role}", "a mapping {name, token or token_env, role}"))
        {
            var name = t.String("name");
            var fromEnv = t.String("token_env");
            var token = t.String("token") ?? (fromEnv is null ? null : Environment.GetEnvironmentVariable(fromEnv));
            var role = t.Enum("role", ApiRole.Viewer, roles);
            if (string.IsNullOrEmpty(name))
            {
                t.Error("name", t.Find("name"), name, "a name for the audit log");
            }

            if (token is null || token.Length < 16)
            {
                t.Error(fromEnv is null ? "token" : "token_env", t.Find(fromEnv is null ? "token" : "token_env"), fromEnv ?? (token is null ? null : "(too short)"),
                    "a secret of 16 characters or more (token, or token_env naming a set environment variable)");
            }

            result.Add(new ApiToken(name ?? string.Empty, token ?? string.Empty, role));
            t.Finish();
        }

        auth.Finish();
        return result;
    }

    private static List<ScheduleDefinition> ReadSchedules(YamlSection root)
    {
        var result = new List<ScheduleDefinition>();
        foreach (var s in root.Items("schedules", "a list of {name, scenario, cron, enabled}", "a mapping with name, scenario, cron"))
        {
            var name = s.String("name");
            var scenario = s.String("scenario");
            var cron = s.String("cron");
            foreach (var (key, value) in new[] { ("name", name), ("scenario", scenario), ("cron", cron) })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    s.Error(key, s.Find(key), value, key == "cron" ? "a cron expression (5 fields, UTC), e.g. \"0 3 * * *\"" : "a non-empty value");
                }
            }

            if (!string.IsNullOrWhiteSpace(cron) && !Cronos.CronExpression.TryParse(cron, out _))
            {
                s.Error("cron", s.Find("cron"), cron, "a cron expression (5 fields, UTC), e.g. \"0 3 * * *\"");
            }

            result.Add(new ScheduleDefinition(name ?? string.Empty, scenario ?? string.Empty, cron ?? string.Empty, s.Bool("enabled", true)));
            s.Finish();
        }

        return result;
    }

    private static bool IsHostPort(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536;
    }

    private static Uri? ReadUrl(YamlSection s, string key)
    {
        var text = s.String(key);
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        s.Error(key, s.Find(key), text, "an absolute http:// or https:// URL");
        return null;
    }
}
