using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Probes;
using Microsoft.AspNetCore.Http;

namespace Bev.Chaos.Server;

/// <summary>Strict reading of request bodies: malformed JSON, wrong types and unknown fields are 400s naming the field.</summary>
internal static class RequestReader
{
    private static readonly string[] FaultFields = ["injector_name", "target_service", "profile_name", "parameters", "duration_seconds", "lease_seconds"];
    private static readonly string[] ExperimentFields = ["name", "description", "scenario", "time_scale", "safety_level", "target_services", "fault_injections", "steady_state_probes", "baseline_seconds", "recovery_window_seconds", "validation_seconds", "probe_interval_seconds", "max_percent", "timeout_seconds"];

    public static async Task<JsonObject> ObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new ChaosValidationException("(body)", null, "well-formed JSON: " + ex.Message);
        }

        return node as JsonObject ?? throw new ChaosValidationException("(body)", node?.ToJsonString(), "a JSON object");
    }

    public static FaultRequest Fault(JsonObject body)
    {
        var errors = new List<ValidationError>();
        body = FaultVocabulary.Normalize(body, string.Empty, errors);
        Unknown(body, FaultFields, errors);
        var injector = Text(body, "injector_name", errors, required: true);
        var target = Text(body, "target_service", errors, required: true);
        var profile = Text(body, "profile_name", errors, required: false);
        var parameters = Parameters(body["parameters"], "parameters", errors);
        var duration = Seconds(body, "duration_seconds", errors);
        return errors.Count > 0 ? throw new ChaosValidationException(errors) : new FaultRequest(injector!, target!, profile, parameters, duration);
    }

    /// <summary>An agent's heartbeat: <c>{"name": ..., "url": ...}</c>.</summary>
    public static (string Name, Uri Url) Heartbeat(JsonObject body)
    {
        var errors = new List<ValidationError>();
        Unknown(body, ["name", "url"], errors);
        var name = Text(body, "name", errors, required: true);
        var url = Text(body, "url", errors, required: true);
        Uri? uri = null;
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add(new ValidationError("url", url, "the agent's http:// address"));
        }

        return errors.Count > 0 ? throw new ChaosValidationException(errors) : (name!, uri!);
    }

    /// <summary>The optional <c>lease_seconds</c> of a fault (1–600): the controller renews it, or the fault goes.</summary>
    public static TimeSpan? Lease(JsonObject body)
    {
        if (body["lease_seconds"] is null)
        {
            return null;
        }

        var errors = new List<ValidationError>();
        var seconds = Number(body, "lease_seconds", 0, 1, 600, errors);
        return errors.Count > 0 ? throw new ChaosValidationException(errors) : TimeSpan.FromSeconds(seconds);
    }

    public static (string? Scenario, double TimeScale, ExperimentConfig? Config) Experiment(JsonObject body)
    {
        var errors = new List<ValidationError>();
        Unknown(body, ExperimentFields, errors);
        var scenario = Text(body, "scenario", errors, required: false);
        var scale = Number(body, "time_scale", 1.0, 0.01, 100, errors);
        if (scenario is not null)
        {
            return errors.Count > 0 ? throw new ChaosValidationException(errors) : (scenario, scale, null);
        }

        var faults = new List<FaultInjectionSpec>();
        if (body["fault_injections"] is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is not JsonObject f)
                {
                    errors.Add(new ValidationError($"fault_injections[{i}]", list[i]?.ToJsonString(), "an object with injector_name, target_service, duration_seconds (as POST /faults)"));
                    continue;
                }

                // The same vocabulary as POST /faults, aliases included, plus the offset into the injection phase.
                var local = new List<ValidationError>();
                f = FaultVocabulary.Normalize(f, string.Empty, local);
                Unknown(f, ["injector_name", "target_service", "profile_name", "parameters", "offset_seconds", "duration_seconds"], local);
                var spec = new FaultInjectionSpec
                {
                    InjectorName = Text(f, "injector_name", local, required: true) ?? string.Empty,
                    TargetService = Text(f, "target_service", local, required: true) ?? string.Empty,
                    ProfileName = Text(f, "profile_name", local, required: false),
                    Parameters = Parameters(f["parameters"], "parameters", local) ?? new Dictionary<string, object?>(),
                    Offset = Seconds(f, "offset_seconds", local) ?? TimeSpan.Zero,
                    Duration = Seconds(f, "duration_seconds", local) ?? TimeSpan.FromSeconds(30),
                };
                errors.AddRange(local.Select(e => e with { Field = $"fault_injections[{i}].{e.Field}" }));
                faults.Add(spec);
            }
        }
        else if (body["fault_injections"] is not null)
        {
            errors.Add(new ValidationError("fault_injections", body["fault_injections"]!.ToJsonString(), "a list of faults"));
        }

        var probes = new List<ProbeDefinition>();
        if (body["steady_state_probes"] is JsonArray probeList)
        {
            foreach (var (item, i) in probeList.Select((p, i) => (p, i)))
            {
                // {name, target}: the target's catalog health_url, or its processes when it has none.
                if (item?["url"] is null && item?["target"] is { } targetNode)
                {
                    var target = targetNode.GetValueKind() == JsonValueKind.String ? targetNode.GetValue<string>() : null;
                    if (string.IsNullOrWhiteSpace(target))
                    {
                        errors.Add(new ValidationError($"steady_state_probes[{i}].target", targetNode.ToJsonString(), "a catalog service or an ad-hoc target (pid:N, name:PROCESS, docker:CONTAINER)"));
                        continue;
                    }

                    probes.Add(new ProbeDefinition { Name = item["name"]?.ToString() ?? target, Kind = ProbeKind.Http, Target = target });
                    continue;
                }

                var url = item?["url"]?.GetValueKind() == JsonValueKind.String ? item["url"]!.GetValue<string>() : null;
                if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    errors.Add(new ValidationError($"steady_state_probes[{i}].url", url, "an absolute http:// URL (or, instead of url, target: a service whose health_url is probed)"));
                    continue;
                }

                probes.Add(new ProbeDefinition { Name = item?["name"]?.ToString() ?? url, Kind = ProbeKind.Http, Url = uri });
            }
        }

        var levels = Enum.GetValues<SafetyLevel>().ToDictionary(l => l.ToString().ToLowerInvariant());
        var levelText = Text(body, "safety_level", errors, required: false) ?? "medium";
        if (!levels.TryGetValue(levelText, out var level))
        {
            errors.Add(new ValidationError("safety_level", levelText, "low, medium, high or critical"));
        }

        var name = Text(body, "name", errors, required: true);
        var config = new ExperimentConfig
        {
            Name = name ?? string.Empty,
            Description = Text(body, "description", errors, required: false),
            SafetyLevel = level,
            FaultInjections = faults,
            SteadyStateProbes = probes,
            BaselineDuration = Seconds(body, "baseline_seconds", errors) ?? TimeSpan.FromSeconds(5),
            RecoveryWindow = Seconds(body, "recovery_window_seconds", errors) ?? TimeSpan.FromSeconds(30),
            ValidationDuration = Seconds(body, "validation_seconds", errors) ?? TimeSpan.FromSeconds(5),
            ProbeInterval = Seconds(body, "probe_interval_seconds", errors) ?? TimeSpan.FromMilliseconds(500),
            Timeout = Seconds(body, "timeout_seconds", errors) ?? TimeSpan.FromMinutes(10),
            MaxPercent = (int)Number(body, "max_percent", 100, 1, 100, errors),
        };
        return errors.Count > 0 ? throw new ChaosValidationException(errors) : (null, scale, config);
    }

    private static void Unknown(JsonObject body, string[] known, List<ValidationError> errors)
    {
        foreach (var (key, value) in body)
        {
            if (!known.Contains(key))
            {
                errors.Add(new ValidationError(key, value?.ToJsonString(), "a field of: " + string.Join(", ", known)));
            }
        }
    }

    private static string? Text(JsonObject body, string field, List<ValidationError> errors, bool required)
    {
        var node = body[field];
        if (node is null)
        {
            if (required)
            {
                errors.Add(new ValidationError(field, null, "a string"));
            }

            return null;
        }

        if (node.GetValueKind() == JsonValueKind.String)
        {
            return node.GetValue<string>();
        }

        errors.Add(new ValidationError(field, node.ToJsonString(), "a string"));
        return null;
    }

    private static double Number(JsonObject body, string field, double fallback, double min, double max, List<ValidationError> errors)
    {
        var node = body[field];
        if (node is null)
        {
            return fallback;
        }

        if (node.GetValueKind() == JsonValueKind.Number && double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture) is var value && value >= min && value <= max)
        {
            return value;
        }

        errors.Add(new ValidationError(field, node.ToJsonString(), $"a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}"));
        return fallback;
    }

    private static TimeSpan? Seconds(JsonObject body, string field, List<ValidationError> errors)
    {
        if (body[field] is null)
        {
            return null;
        }

        var value = Number(body, field, -1, 0, 86_400, errors);
        return value >= 0 ? TimeSpan.FromSeconds(value) : null;
    }

    private static Dictionary<string, object?>? Parameters(JsonNode? node, string field, List<ValidationError> errors)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject parameters)
        {
            errors.Add(new ValidationError(field, node.ToJsonString(), "an object of parameter names to values"));
            return null;
        }

        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            if (value is JsonValue scalar)
            {
                result[key] = scalar.GetValueKind() == JsonValueKind.String ? scalar.GetValue<string>() : scalar.ToJsonString();
            }
            else
            {
                errors.Add(new ValidationError($"{field}.{key}", value?.ToJsonString(), "a single value"));
            }
        }

        return result;
    }
}
