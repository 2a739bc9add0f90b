using System.Globalization;
using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Scenarios;

/// <summary>
/// Turns a scenario's steps into an experiment's timeline: faults start at the running offset
/// (waits advance it, parallel children share it), remove_fault ends a named fault at the current
/// offset, probe steps join the steady-state hypothesis and load steps become constant-rate load.
/// </summary>
public static class ScenarioCompiler
{
    private static readonly HashSet<string> InjectKeys = ["injector", "target", "profile", "duration"];

    /// <exception cref="ChaosValidationException">Every problem in the steps.</exception>
    public static ExperimentConfig Compile(ScenarioDefinition scenario, double timeScale = 1.0)
    {
        var errors = new List<ValidationError>();
        var faults = new List<FaultInjectionSpec>();
        var loads = new List<LoadSpec>();
        var probes = scenario.SteadyState.ToList();
        var scale = timeScale;
        var end = Walk(scenario.Steps, TimeSpan.Zero, scenario, faults, loads, probes, errors, scale);
        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }

        return new ExperimentConfig
        {
            Name = scenario.Name,
            Description = scenario.Description,
            TargetServices = scenario.TargetServices,
            SafetyLevel = scenario.SafetyLevel,
            FaultInjections = faults,
            Loads = loads,
            SteadyStateProbes = probes,
            BaselineDuration = Scale(scenario.BaselineDuration, scale),
            RecoveryWindow = scenario.RecoveryWindow,
            ValidationDuration = Scale(scenario.ValidationDuration, scale),
            MinimumInjectionDuration = end,
            MaxPercent = scenario.MaxPercent,
            Rollbacks = scenario.Rollbacks,
            AbortConditions = scenario.AbortConditions,
        };
    }

    private static TimeSpan Walk(IReadOnlyList<ScenarioStep> steps, TimeSpan offset, ScenarioDefinition scenario, List<FaultInjectionSpec> faults, List<LoadSpec> loads, List<ProbeDefinition> probes, List<ValidationError> errors, double scale)
    {
        var cursor = offset;
        foreach (var step in steps)
        {
            var field = $"{scenario.Name}.steps.{step.Name}";
            switch (step.ActionType)
            {
                case "inject_fault":
                    var injector = Text(step, "injector");
                    var target = Text(step, "target") ?? scenario.TargetServices.FirstOrDefault();
                    if (injector is null)
                    {
                        errors.Add(new ValidationError($"{field}.parameters.injector", null, "an injector name", step.Location));
                    }

                    if (target is null)
                    {
                        errors.Add(new ValidationError($"{field}.parameters.target", null, "a target (or target_services on the scenario)", step.Location));
                    }

                    var duration = Duration(step, "duration", TimeSpan.FromSeconds(30), errors, field);
                    if (injector is not null && target is not null)
                    {
                        faults.Add(new FaultInjectionSpec
                        {
                            Name = step.Name,
                            Injector = injector,
                            Target = target,
                            Profile = Text(step, "profile"),
                            Parameters = step.Parameters.Where(p => !InjectKeys.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value),
                            Offset = cursor,
                            Duration = Scale(duration, scale),
                            Location = step.Location,
                        });
                    }

                    break;
                case "remove_fault":
                    var name = Text(step, "step") ?? Text(step, "fault");
                    var index = faults.FindIndex(f => f.Name == name);
                    if (index < 0)
                    {
                        errors.Add(new ValidationError($"{field}.parameters.step", name, "the name of an earlier inject_fault step: " + string.Join(", ", faults.Select(f => f.Name)), step.Location));
                    }
                    else if (cursor <= faults[index].Offset)
                    {
                        errors.Add(new ValidationError($"{field}.parameters.step", name, "a fault injected before a wait (removing it at once would be an impossible timing)", step.Location));
                    }
                    else
                    {
                        faults[index] = faults[index] with { Duration = cursor - faults[index].Offset };
                    }

                    break;
                case "wait":
                    cursor += Scale(Duration(step, "duration", TimeSpan.FromSeconds(5), errors, field), scale);
                    break;
                case "probe":
                    probes.Add(ProbeFrom(step, field, errors));
                    break;
                case "load":
                    if (Uri.TryCreate(Text(step, "url"), UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
                    {
                        var rate = Number(step, "rate", 20, 1, 10_000, errors, field);
                        loads.Add(new LoadSpec { Url = url, Rate = rate, Offset = cursor, Duration = Scale(Duration(step, "duration", TimeSpan.FromSeconds(10), errors, field), scale) });
                    }
                    else
                    {
                        errors.Add(new ValidationError($"{field}.parameters.url", Text(step, "url"), "an absolute http:// URL", step.Location));
                    }

                    break;
                case "parallel":
                    var ends = step.Steps.Select(child => Walk([child], cursor, scenario, faults, loads, probes, errors, scale)).DefaultIfEmpty(cursor).Max();
                    cursor = ends;
                    break;
                default:
                    errors.Add(new ValidationError($"{field}.action_type", step.ActionType, "inject_fault, remove_fault, wait, probe, load or parallel", step.Location));
                    break;
            }
        }

        return cursor;
    }

    private static ProbeDefinition ProbeFrom(ScenarioStep step, string field, List<ValidationError> errors)
    {
        var type = Text(step, "type") ?? "http";
        switch (type)
        {
            case "http":
                if (!Uri.TryCreate(Text(step, "url"), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                {
                    errors.Add(new ValidationError($"{field}.parameters.url", Text(step, "url"), "an absolute http:// URL", step.Location));
                    url = new Uri("http://127.0.0.1/");
                }

                return new ProbeDefinition { Name = step.Name, Kind = ProbeKind.Http, Url = url, BodyContains = Text(step, "body_contains") };
            case "tcp":
                return new ProbeDefinition { Name = step.Name, Kind = ProbeKind.Tcp, Host = Text(step, "host") ?? "127.0.0.1", Port = (int)Number(step, "port", 0, 1, 65535, errors, field) };
            case "process":
                return new ProbeDefinition { Name = step.Name, Kind = ProbeKind.Process, Target = Text(step, "target") };
            default:
                errors.Add(new ValidationError($"{field}.parameters.type", type, "http, tcp or process", step.Location));
                return new ProbeDefinition { Name = step.Name, Kind = ProbeKind.Process, Target = "none" };
        }
    }

    private static string? Text(ScenarioStep step, string key) =>
        step.Parameters.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private static TimeSpan Duration(ScenarioStep step, string key, TimeSpan fallback, List<ValidationError> errors, string field)
    {
        var text = Text(step, key);
        if (text is null)
        {
            return fallback;
        }

        if (DurationText.TryParse(text, out var value) && value > TimeSpan.Zero && value <= TimeSpan.FromHours(1))
        {
            return value;
        }

        errors.Add(new ValidationError($"{field}.parameters.{key}", text, "a duration above 0 and at most 1h (seconds, or with ms/s/m/h)", step.Location));
        return fallback;
    }

    private static double Number(ScenarioStep step, string key, double fallback, double min, double max, List<ValidationError> errors, string field)
    {
        var text = Text(step, key);
        if (text is null && fallback >= min)
        {
            return fallback;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add(new ValidationError($"{field}.parameters.{key}", text, $"a number from {min} to {max}", step.Location));
        return Math.Max(min, fallback);
    }

    private static TimeSpan Scale(TimeSpan value, double scale) => value * scale;
}
