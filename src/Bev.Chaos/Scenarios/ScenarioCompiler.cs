using System.Globalization;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Scenarios;

/// <summary>
/// Turns a scenario's steps into an experiment's timeline: faults start at the running offset
/// (waits advance it, parallel children share it), remove_fault ends a named fault at the current
/// offset, probe steps join the steady-state hypothesis and load steps become constant-rate load.
/// </summary>
public static class ScenarioCompiler
{
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
                    // The original's vocabulary (injector_name, target_service, profile_name,
                    // duration_seconds; short aliases alike); every other key is a fault parameter.
                    var vocabulary = FaultVocabulary.Normalize(step.Parameters, $"{field}.parameters.", errors, step.Location);
                    var injector = Text(vocabulary, "injector_name");
                    var target = Text(vocabulary, "target_service") ?? scenario.TargetServices.FirstOrDefault();
                    if (injector is null)
                    {
                        errors.Add(new ValidationError($"{field}.parameters.injector_name", null, "an injector name (injector_name, or its alias injector)", step.Location));
                    }

                    if (target is null)
                    {
                        errors.Add(new ValidationError($"{field}.parameters.target_service", null, "a target (target_service, or its alias target; or target_services on the scenario)", step.Location));
                    }

                    var duration = Duration(vocabulary, "duration_seconds", TimeSpan.FromSeconds(30), errors, field, step.Location);
                    var parameters = FaultParameters(vocabulary, field, step.Location, errors);
                    if (injector is not null && target is not null)
                    {
                        faults.Add(new FaultInjectionSpec
                        {
                            Name = step.Name,
                            InjectorName = injector,
                            TargetService = target,
                            ProfileName = Text(vocabulary, "profile_name"),
                            Parameters = parameters,
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
                    // A load names a URL, or a target whose catalog health_url it loads (resolved when it runs).
                    if (Text(step, "url") is null && Text(step, "target") is { } loadTarget)
                    {
                        var rate = Number(step, "rate", 20, 1, 10_000, errors, field);
                        loads.Add(new LoadSpec { Target = loadTarget, Rate = rate, Offset = cursor, Duration = Scale(Duration(step, "duration", TimeSpan.FromSeconds(10), errors, field), scale) });
                    }
                    else if (Uri.TryCreate(Text(step, "url"), UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
                    {
                        var rate = Number(step, "rate", 20, 1, 10_000, errors, field);
                        loads.Add(new LoadSpec { Url = url, Rate = rate, Offset = cursor, Duration = Scale(Duration(step, "duration", TimeSpan.FromSeconds(10), errors, field), scale) });
                    }
                    else
                    {
                        errors.Add(new ValidationError($"{field}.parameters.url", Text(step, "url"), "an absolute http:// URL, or target: a catalog service (its health_url is loaded)", step.Location));
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
            case "http" when Text(step, "url") is null && Text(step, "target") is { } target:
                return new ProbeDefinition { Name = step.Name, Kind = ProbeKind.Http, Target = target, BodyContains = Text(step, "body_contains") };
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

    // A step's fault parameters: the keys beside injector_name (as the original writes them) and
    // those under a nested parameters mapping (as POST /faults writes them); one key in both places
    // with two values is an error.
    private static Dictionary<string, object?> FaultParameters(Dictionary<string, object?> vocabulary, string field, string? location, List<ValidationError> errors)
    {
        var result = vocabulary.Where(p => !FaultVocabulary.IsVocabulary(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        switch (vocabulary.GetValueOrDefault(FaultVocabulary.Parameters))
        {
            case null:
                break;
            case IReadOnlyDictionary<string, object?> nested:
                foreach (var (key, value) in nested)
                {
                    if (result.TryGetValue(key, out var beside) && Convert.ToString(beside, CultureInfo.InvariantCulture) != Convert.ToString(value, CultureInfo.InvariantCulture))
                    {
                        errors.Add(new ValidationError($"{field}.parameters.{key}", $"{beside} beside injector_name, {value} under parameters", "one value: write it in one place", location));
                    }

                    result[key] = value;
                }

                break;
            case var other:
                errors.Add(new ValidationError($"{field}.parameters.parameters", Convert.ToString(other, CultureInfo.InvariantCulture), "a mapping of fault parameters (or write them beside injector_name)", location));
                break;
        }

        return result;
    }

    private static string? Text(ScenarioStep step, string key) => Text(step.Parameters, key);

    private static string? Text(IReadOnlyDictionary<string, object?> parameters, string key) =>
        parameters.TryGetValue(key, out var value) && value is not IReadOnlyDictionary<string, object?> ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private static TimeSpan Duration(ScenarioStep step, string key, TimeSpan fallback, List<ValidationError> errors, string field) =>
        Duration(step.Parameters, key, fallback, errors, field, step.Location);

    private static TimeSpan Duration(IReadOnlyDictionary<string, object?> parameters, string key, TimeSpan fallback, List<ValidationError> errors, string field, string? location)
    {
        var text = Text(parameters, key);
        if (text is null)
        {
            return fallback;
        }

        if (DurationText.TryParse(text, out var value) && value > TimeSpan.Zero && value <= TimeSpan.FromHours(1))
        {
            return value;
        }

        errors.Add(new ValidationError($"{field}.parameters.{key}", text, "a duration above 0 and at most 1h (seconds, or with ms/s/m/h)", location));
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
