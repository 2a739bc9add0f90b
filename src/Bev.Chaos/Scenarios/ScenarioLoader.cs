using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Probes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bev.Chaos.Scenarios;

/// <summary>
/// Reads <c>scenarios.yaml</c> (the contract shape) strictly: unknown keys, wrong types and bad
/// values are reported together with file, line and key. Every scenario is also compiled, so an
/// impossible timeline is caught at load time too.
/// </summary>
public static class ScenarioLoader
{
    private static readonly Dictionary<string, ScenarioCategory> Categories = Enum.GetValues<ScenarioCategory>().ToDictionary(c => c.ToString().ToLowerInvariant());
    private static readonly Dictionary<string, ScenarioComplexity> Complexities = Enum.GetValues<ScenarioComplexity>().ToDictionary(c => c.ToString().ToLowerInvariant());
    private static readonly Dictionary<string, SafetyLevel> Levels = Enum.GetValues<SafetyLevel>().ToDictionary(c => c.ToString().ToLowerInvariant());

    /// <summary>Scenarios and suites of one file (or text).</summary>
    public sealed record ScenarioFile(IReadOnlyList<ScenarioDefinition> Scenarios, IReadOnlyDictionary<string, IReadOnlyList<string>> Suites);

    /// <exception cref="ChaosValidationException">Every problem in the file.</exception>
    public static ScenarioFile Parse(string yaml, string fileName)
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

        var errors = new List<ValidationError>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode rootNode)
        {
            throw new ChaosValidationException([new ValidationError("(root)", null, "a mapping with scenarios (and suites)", $"{fileName}:1")]);
        }

        var root = new YamlSection(rootNode, string.Empty, fileName, errors);
        var scenarios = new List<ScenarioDefinition>();
        if (root.Find("scenarios") is { } list)
        {
            if (list is YamlSequenceNode { Children.Count: > ConfigurationLimits.MaxEntries } tooMany)
            {
                root.Error("scenarios", tooMany, $"{tooMany.Children.Count} scenarios", $"at most {ConfigurationLimits.MaxEntries} scenarios a file");
            }
            else if (list is YamlSequenceNode sequence)
            {
                foreach (var item in sequence)
                {
                    if (item is YamlMappingNode mapping)
                    {
                        scenarios.Add(ReadScenario(new YamlSection(mapping, "scenarios[" + scenarios.Count + "]", fileName, errors)));
                    }
                    else
                    {
                        root.Error("scenarios", item, YamlSection.Describe(item), "a list of scenario mappings");
                    }
                }
            }
            else
            {
                root.Error("scenarios", list, YamlSection.Describe(list), "a list of scenarios");
            }
        }

        var suites = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (root.Section("suites") is { } suiteSection)
        {
            foreach (var (name, node) in suiteSection.Entries())
            {
                if (node is YamlSequenceNode names && names.All(n => n is YamlScalarNode))
                {
                    suites[name] = names.Select(n => ((YamlScalarNode)n).Value ?? string.Empty).ToList();
                }
                else
                {
                    suiteSection.Error(name, node, YamlSection.Describe(node), "a list of scenario names");
                }
            }
        }

        root.Finish();
        foreach (var duplicate in scenarios.GroupBy(s => s.Name).Where(g => g.Count() > 1))
        {
            errors.Add(new ValidationError("scenarios.name", duplicate.Key, "a name used once", duplicate.Last().Location));
        }

        foreach (var scenario in scenarios)
        {
            try
            {
                ScenarioCompiler.Compile(scenario);
            }
            catch (ChaosValidationException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }

        return errors.Count > 0 ? throw new ChaosValidationException(errors) : new ScenarioFile(scenarios, suites);
    }

    private static ScenarioDefinition ReadScenario(YamlSection s)
    {
        var name = s.String("name");
        if (string.IsNullOrWhiteSpace(name))
        {
            s.Error("name", s.Find("name"), name, "a scenario name");
        }

        var definition = new ScenarioDefinition
        {
            Name = name ?? "(unnamed)",
            Location = s.Location,
            Description = s.String("description") ?? string.Empty,
            Category = s.Enum("category", ScenarioCategory.Application, Categories),
            Complexity = s.Enum("complexity", ScenarioComplexity.Simple, Complexities),
            SafetyLevel = s.Enum("safety_level", SafetyLevel.Medium, Levels),
            TargetServices = s.StringList("target_services") ?? [],
            BaselineDuration = s.Duration("baseline_duration", TimeSpan.FromSeconds(5), TimeSpan.Zero, TimeSpan.FromHours(1)),
            RecoveryWindow = s.Duration("recovery_window", TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.FromHours(1)),
            ValidationDuration = s.Duration("validation_duration", TimeSpan.FromSeconds(5), TimeSpan.Zero, TimeSpan.FromHours(1)),
            SteadyState = ReadProbes(s),
            MaxPercent = s.Int("max_percent", 100, 1, 100),
            Rollbacks = ReadRollbacks(s),
            AbortConditions = ReadAbortConditions(s),
            Steps = ReadSteps(s, "steps", 1),
        };
        s.Finish();
        return definition;
    }

    // A scenario's steps, and the steps of its parallel steps, are bounded in number and depth.
    private const int MaxSteps = ConfigurationLimits.MaxEntries;
    private const int MaxStepDepth = 8;

    private static List<ScenarioStep> ReadSteps(YamlSection s, string key, int depth)
    {
        var steps = new List<ScenarioStep>();
        if (s.Find(key) is YamlSequenceNode { Children.Count: > MaxSteps } tooMany)
        {
            s.Error(key, tooMany, $"{tooMany.Children.Count} steps", $"at most {MaxSteps} steps in one list");
            return steps;
        }

        if (depth > MaxStepDepth && s.Find(key) is { } nestedTooDeep)
        {
            s.Error(key, nestedTooDeep, $"steps nested {depth} deep", $"steps nested at most {MaxStepDepth} deep (parallel inside parallel)");
            return steps;
        }

        foreach (var step in s.Items(key, "a list of steps", "a step mapping with name, action_type, parameters"))
        {
            var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
            var nested = new List<ScenarioStep>();
            if (step.Section("parameters") is { } p)
            {
                foreach (var (name, value) in p.Entries().ToList())
                {
                    if (name == "steps")
                    {
                        nested = ReadSteps(p, "steps", depth + 1);
                    }
                    else if (name == FaultVocabulary.Parameters && value is YamlMappingNode)
                    {
                        // The POST /faults shape inside a step: {injector_name: …, parameters: {delay_ms: 200}}.
                        parameters[name] = ReadFaultParameters(p.Section(name)!);
                    }
                    else if (value is YamlScalarNode scalar)
                    {
                        parameters[name] = scalar.Value;
                    }
                    else
                    {
                        p.Error(name, value, YamlSection.Describe(value), "a single value");
                    }
                }
            }

            var stepName = step.String("name") ?? $"step{steps.Count + 1}";
            var action = step.String("action_type");
            if (action is null)
            {
                step.Error("action_type", null, null, "inject_fault, remove_fault, wait, probe, load or parallel");
            }

            steps.Add(new ScenarioStep { Name = stepName, ActionType = action ?? "?", Parameters = parameters, Steps = nested, Location = step.Location });
            step.Finish();
        }

        return steps;
    }

    private static Dictionary<string, object?> ReadFaultParameters(YamlSection section)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in section.Entries())
        {
            if (value is YamlScalarNode scalar)
            {
                result[name] = scalar.Value;
            }
            else
            {
                section.Error(name, value, YamlSection.Describe(value), "a single value");
            }
        }

        return result;
    }

    private static List<RollbackAction> ReadRollbacks(YamlSection s)
    {
        var result = new List<RollbackAction>();
        foreach (var r in s.Items("rollbacks", "a list of {name, url, method} or {name, command}", "a mapping {name, url, method} or {name, command}"))
        {
            var url = r.String("url");
            var command = r.StringList("command");
            if ((url is null) == (command is null))
            {
                r.Error("url", r.Find("url"), url, "exactly one of url or command");
            }

            result.Add(new RollbackAction
            {
                Name = r.String("name") ?? $"rollback{result.Count + 1}",
                Url = url is not null && Uri.TryCreate(url, UriKind.Absolute, out var u) ? u : null,
                Method = r.String("method") ?? "POST",
                Command = command,
                Timeout = r.Duration("timeout", TimeSpan.FromSeconds(10), ConfigurationLimits.RollbackTimeout.Min, ConfigurationLimits.RollbackTimeout.Max),
            });
            r.Finish();
        }

        return result;
    }

    private static SafetySettings? ReadAbortConditions(YamlSection s)
    {
        if (s.Section("abort_conditions") is not { } a)
        {
            return null;
        }

        var d = new SafetySettings();
        var result = new SafetySettings
        {
            AutoRollbackEnabled = true,
            SafetyMonitoringInterval = a.Duration("safety_monitoring_interval", d.SafetyMonitoringInterval, ConfigurationLimits.SafetyMonitoringInterval, check: true),
            MaxCpuUsage = a.Number("max_cpu_usage", d.MaxCpuUsage, ConfigurationLimits.MaxCpuUsage, check: true),
            MaxMemoryUsage = a.Number("max_memory_usage", d.MaxMemoryUsage, ConfigurationLimits.MaxMemoryUsage, check: true),
            MaxErrorRate = a.Number("max_error_rate", d.MaxErrorRate, ConfigurationLimits.MaxErrorRate, check: true),
            MaxResponseTime = a.Duration("max_response_time", d.MaxResponseTime, ConfigurationLimits.MaxResponseTime, check: true),
        };
        a.Finish();
        return result;
    }

    private static List<ProbeDefinition> ReadProbes(YamlSection s)
    {
        var probes = new List<ProbeDefinition>();
        foreach (var p in s.Items("steady_state", "a list of probes", "a probe mapping with name, type and its settings"))
        {
            if (ProbeReader.Read(p, probes.Count) is { } probe)
            {
                probes.Add(probe);
            }
        }

        return probes;
    }
}
