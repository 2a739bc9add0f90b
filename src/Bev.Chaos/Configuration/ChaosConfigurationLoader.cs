using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bev.Chaos.Configuration;

/// <summary>
/// Loads <c>chaos_engineer.yaml</c> strictly: it parses (an unknown key or a value of the wrong
/// type is an error with file and line), then hands the result to
/// <see cref="ChaosConfigurationValidator"/>, which checks ranges and rules with the locations the
/// loader kept. Every problem is collected with file, line, key, value and what is allowed, then
/// thrown together.
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
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new ChaosValidationException("--config", path, "an existing YAML file");
        }

        return Parse(InputFile.ReadText(path, "--config"), path);
    }

    /// <summary>Parses and validates YAML text; <paramref name="fileName"/> names it in errors.</summary>
    /// <exception cref="ChaosValidationException">Every problem in the text.</exception>
    public static ChaosConfiguration Parse(string yaml, string fileName)
    {
        YamlDepth.Check(yaml, fileName);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ChaosValidationException([YamlSection.SyntaxError(ex, yaml, fileName)]);
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

        var sources = new Dictionary<string, ValueSource>(StringComparer.Ordinal);
        var root = new YamlSection(rootNode, string.Empty, fileName, errors, sources);
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
            Sources = sources,
            Proxy = ReadProxy(root.Section("proxy")),
        };
        root.Finish();

        errors.AddRange(ChaosConfigurationValidator.Check(config));
        return errors.Count > 0 ? throw new ChaosValidationException(InFileOrder(errors)) : config;
    }

    // Section by section as the file is read, then by line: parse errors and the validator's come
    // out interleaved as a reader of the file meets them.
    private static List<ValidationError> InFileOrder(List<ValidationError> errors)
    {
        string[] sections = ["global", "fault_injectors", "integration", "safety", "targets", "schedules", "auth", "docker", "agents", "proxy"];
        return errors
            .OrderBy(e => Array.IndexOf(sections, e.Field.Split('.', '[')[0]) is var i and >= 0 ? i : sections.Length)
            .ThenBy(e => e.Location is { } l && int.TryParse(l.AsSpan(l.LastIndexOf(':') + 1), System.Globalization.CultureInfo.InvariantCulture, out var line) ? line : int.MaxValue)
            .ToList();
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
            MaxConcurrentExperiments = YamlSection.ToInt(s.Number("max_concurrent_experiments", d.MaxConcurrentExperiments, ConfigurationLimits.MaxConcurrentExperiments)),
            SafetyCheckInterval = s.Duration("safety_check_interval", d.SafetyCheckInterval, ConfigurationLimits.SafetyCheckInterval),
            EmergencyStopThreshold = s.Number("emergency_stop_threshold", d.EmergencyStopThreshold, ConfigurationLimits.EmergencyStopThreshold),
            MaxFaultDuration = s.Duration("max_fault_duration", d.MaxFaultDuration, ConfigurationLimits.MaxFaultDuration),
            DefaultFaultDuration = s.Duration("default_fault_duration", d.DefaultFaultDuration, ConfigurationLimits.DefaultFaultDuration),
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

            var section = s.Child(name, mapping);
            var caps = new Dictionary<string, double>(StringComparer.Ordinal);
            var locations = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in section.Entries().ToList())
            {
                if (key.StartsWith("max_", StringComparison.Ordinal) && key != "max_duration")
                {
                    caps[key] = section.Number(key, 0, ConfigurationLimits.InjectorCap);
                    locations[key] = section.Where(value);
                }
            }

            result[name] = new InjectorSettings
            {
                Enabled = section.Bool("enabled", true),
                MaxDuration = section.Has("max_duration") ? section.Duration("max_duration", TimeSpan.FromHours(1), ConfigurationLimits.InjectorMaxDuration) : null,
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
            SafetyMonitoringInterval = s.Duration("safety_monitoring_interval", d.SafetyMonitoringInterval, ConfigurationLimits.SafetyMonitoringInterval),
            MaxCpuUsage = s.Number("max_cpu_usage", d.MaxCpuUsage, ConfigurationLimits.MaxCpuUsage),
            MaxMemoryUsage = s.Number("max_memory_usage", d.MaxMemoryUsage, ConfigurationLimits.MaxMemoryUsage),
            MaxErrorRate = s.Number("max_error_rate", d.MaxErrorRate, ConfigurationLimits.MaxErrorRate),
            MaxResponseTime = s.Duration("max_response_time", d.MaxResponseTime, ConfigurationLimits.MaxResponseTime),
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

            var t = s.Child(name, mapping);
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
                        proxySection.Error(dependency, routeNode, YamlSection.Describe(routeNode), "a mapping with listen and upstream (HOST:PORT), and optionally protocol");
                        continue;
                    }

                    var route = proxySection.Child(dependency, routeMapping);
                    var listen = route.String("listen");
                    var upstream = route.String("upstream");
                    var protocol = route.String("protocol");
                    route.Finish();
                    proxies[dependency] = new ProxyRoute(listen ?? string.Empty, upstream ?? string.Empty, protocol ?? "tcp");
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
                RestartDelay = t.Duration("restart_delay", TimeSpan.FromMilliseconds(500), ConfigurationLimits.RestartDelay),
                PidFile = t.String("pid_file"),
                Pid = t.OptionalWhole("pid", ConfigurationLimits.Pid),
                ProcessName = t.String("process_name"),
                Port = t.OptionalWhole("port", ConfigurationLimits.Port),
                HealthUrl = ReadUrl(t, "health_url"),
                MetricsUrl = ReadUrl(t, "metrics_url"),
                Protected = t.Bool("protected", false),
                Container = t.String("container"),
                Host = t.String("host"),
                Service = t.String("service"),
                Count = t.OptionalWhole("count", ConfigurationLimits.Count),
                Percent = t.OptionalWhole("percent", ConfigurationLimits.Percent),
            };
            t.Finish();
            result[name] = definition;
        }

        return result;
    }

    private static ProxySettings ReadProxy(YamlSection? proxy)
    {
        var d = new ProxySettings();
        if (proxy is null)
        {
            return d;
        }

        var addresses = new List<System.Net.IPAddress>();
        foreach (var text in proxy.StringList("allowed_listen_addresses") ?? [])
        {
            if (System.Net.IPAddress.TryParse(text.Trim('[', ']'), out var address))
            {
                addresses.Add(address);
            }
            else
            {
                proxy.Error("allowed_listen_addresses", proxy.Find("allowed_listen_addresses"), text, "IP addresses (e.g. 192.0.2.10, or 0.0.0.0 for every interface)");
            }
        }

        var result = new ProxySettings { AllowedListenAddresses = addresses, MaxProxies = proxy.Int("max_proxies", d.MaxProxies, 1, 100_000) };
        proxy.Finish();
        return result;
    }

    private static string? ReadDockerHost(YamlSection? docker)
    {
        if (docker is null)
        {
            return null;
        }

        var host = docker.String("host");
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
            var lease = a.Duration("lease", TimeSpan.FromSeconds(10), ConfigurationLimits.AgentLease);
            if (url is null && (a.Find("url") is not { } urlNode || YamlSection.IsNull(urlNode)))
            {
                a.Error("url", null, null, "the agent's http:// address");
            }

            if (token is null)
            {
                a.Error(fromEnv is null ? "token" : "token_env", a.Find(fromEnv is null ? "token" : "token_env"), fromEnv, ChaosConfigurationValidator.AgentTokenAllowed);
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
            if (token is null)
            {
                t.Error(fromEnv is null ? "token" : "token_env", t.Find(fromEnv is null ? "token" : "token_env"), fromEnv, ChaosConfigurationValidator.ApiTokenAllowed);
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
            result.Add(new ScheduleDefinition(name ?? string.Empty, scenario ?? string.Empty, cron ?? string.Empty, s.Bool("enabled", true)));
            s.Finish();
        }

        return result;
    }

    private static Uri? ReadUrl(YamlSection s, string key)
    {
        var text = s.String(key);
        if (text is null)
        {
            return null;
        }

        // The scheme is the validator's to check (a Uri built in C# can be ftp:// too).
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return uri;
        }

        s.Error(key, s.Find(key), text, ChaosConfigurationValidator.HttpUrlAllowed);
        return null;
    }
}
