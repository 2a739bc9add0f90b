using System.Globalization;
using Bev.Chaos.Faults;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Experiments;

/// <summary>Checks a whole experiment before it starts and reports every problem at once.</summary>
public static class ExperimentValidator
{
    /// <summary>The ad hoc target forms a name outside the catalog may take.</summary>
    private static readonly string[] AdHocPrefixes = ["pid:", "name:", "docker:", "agent:"];

    /// <summary>Checks <paramref name="config"/> against the fault manager (injectors, parameters, targets); every problem in one exception.</summary>
    /// <exception cref="ChaosValidationException">Every problem found; nothing ran.</exception>
    public static void Validate(ExperimentConfig config, FaultInjectionManager faults) => Validate(config, faults, null);

    /// <summary>
    /// As <see cref="Validate(ExperimentConfig, FaultInjectionManager)"/>, and with the
    /// <paramref name="catalog"/> each <see cref="ExperimentConfig.TargetServices"/> name must be in
    /// (or take an ad hoc form: pid:, name:, docker:, agent:). Whatever the catalog, a non-empty
    /// <c>target_services</c> is the experiment's boundary: a fault on a service outside it is an error.
    /// </summary>
    /// <exception cref="ChaosValidationException">Every problem found; nothing ran.</exception>
    public static void Validate(ExperimentConfig config, FaultInjectionManager faults, IReadOnlyDictionary<string, Configuration.TargetDefinition>? catalog)
    {
        var errors = new List<ValidationError>();
        errors.AddRange(CheckTargetServices(config.Name, config.TargetServices, catalog));
        if (string.IsNullOrWhiteSpace(config.Name))
        {
            errors.Add(new ValidationError("name", config.Name, "a non-empty name"));
        }

        if (config.SteadyStateTolerance is < 0 or > 1)
        {
            errors.Add(new ValidationError("steady_state_tolerance", F(config.SteadyStateTolerance), "0 to 1"));
        }

        foreach (var (value, field) in new[] { (config.BaselineDuration, "baseline_duration"), (config.RecoveryWindow, "recovery_window"), (config.ValidationDuration, "validation_duration") })
        {
            if (value < TimeSpan.Zero || value > TimeSpan.FromHours(1))
            {
                errors.Add(new ValidationError(field, F(value.TotalSeconds), "0 to 3600 seconds"));
            }
        }

        if (config.ProbeInterval < TimeSpan.FromMilliseconds(50) || config.ProbeInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add(new ValidationError("probe_interval", F(config.ProbeInterval.TotalSeconds), "0.05 to 60 seconds"));
        }

        if (config.FaultInjections.Count == 0 && config.Loads.Count == 0)
        {
            errors.Add(new ValidationError("fault_injections", "none", "at least one fault (an experiment without one tests nothing)"));
        }

        // What a scenario file's reader checks as it parses, checked here too, for an experiment built in C#.
        if (config.AbortConditions is { } abort)
        {
            errors.AddRange(Configuration.ChaosConfigurationValidator.Check(abort, "abort_conditions"));
        }

        Within(errors, "timeout", config.Timeout, Configuration.ConfigurationLimits.ExperimentTimeout);
        if (config.MaxTargets < 1)
        {
            errors.Add(new ValidationError("max_targets", config.MaxTargets.ToString(CultureInfo.InvariantCulture), "1 or more"));
        }

        if (config.MinimumInjectionDuration < TimeSpan.Zero)
        {
            errors.Add(new ValidationError("minimum_injection_duration", F(config.MinimumInjectionDuration), "0 or more seconds"));
        }

        if (config.MaxPercent is < 1 or > 100)
        {
            errors.Add(new ValidationError("max_percent", config.MaxPercent.ToString(CultureInfo.InvariantCulture), "1 to 100"));
        }

        errors.AddRange(LoadErrors(config));
        for (var i = 0; i < config.Rollbacks.Count; i++)
        {
            var rollback = config.Rollbacks[i];
            if ((rollback.Url is null) == (rollback.Command is null or { Count: 0 }))
            {
                errors.Add(new ValidationError($"rollbacks[{i}]", rollback.Name, "exactly one of url or command"));
            }

            Within(errors, $"rollbacks[{i}].timeout", rollback.Timeout, Configuration.ConfigurationLimits.RollbackTimeout);
        }

        var targets = config.FaultInjections.Select(f => f.TargetService).Distinct(StringComparer.Ordinal).Count();
        if (targets > config.MaxTargets)
        {
            errors.Add(new ValidationError("fault_injections", $"{targets} targets", $"at most {config.MaxTargets} targets (max_targets, the blast radius)"));
        }

        for (var i = 0; i < config.FaultInjections.Count; i++)
        {
            var spec = config.FaultInjections[i];
            var prefix = spec.Name is null ? $"fault_injections[{i}]" : $"{config.Name}.steps.{spec.Name}";
            if (spec.Offset < TimeSpan.Zero)
            {
                errors.Add(new ValidationError($"{prefix}.offset", F(spec.Offset.TotalSeconds), "0 or more seconds", spec.Location));
            }

            if (spec.Offset + spec.Duration > config.Timeout)
            {
                errors.Add(new ValidationError($"{prefix}.offset", F(spec.Offset.TotalSeconds), $"offset + duration within the experiment's timeout ({F(config.Timeout.TotalSeconds)} s)", spec.Location));
            }

            if (config.TargetServices.Count > 0 && !config.TargetServices.Contains(spec.TargetService, StringComparer.Ordinal))
            {
                errors.Add(new ValidationError($"{prefix}.target_service", spec.TargetService, OutsideBoundary(config.Name, config.TargetServices), spec.Location));
            }

            try
            {
                faults.Check(new Faults.FaultRequest(spec.InjectorName, spec.TargetService, spec.ProfileName, spec.Parameters, spec.Duration));
            }
            catch (ChaosValidationException ex)
            {
                errors.AddRange(ex.Errors.Select(e => e with { Field = $"{prefix}.{e.Field}", Location = e.Location ?? spec.Location }));
            }
        }

        for (var i = 0; i < config.SteadyStateProbes.Count; i++)
        {
            var probe = config.SteadyStateProbes[i];
            var prefix = $"steady_state_probes[{i}]";
            Within(errors, $"{prefix}.timeout", probe.Timeout, Configuration.ConfigurationLimits.ProbeTimeout);
            if (string.IsNullOrWhiteSpace(probe.Name))
            {
                errors.Add(new ValidationError($"{prefix}.name", probe.Name, "a non-empty name (results and metrics are named after it)"));
            }

            switch (probe.Kind)
            {
                case ProbeKind.Http when probe.Url is null || probe.Url.Scheme is not ("http" or "https"):
                    errors.Add(new ValidationError($"{prefix}.url", probe.Url?.ToString(), "an absolute http:// or https:// URL"));
                    break;
                case ProbeKind.Tcp when string.IsNullOrEmpty(probe.Host) || probe.Port is < 1 or > 65535:
                    errors.Add(new ValidationError($"{prefix}.port", probe.Port.ToString(CultureInfo.InvariantCulture), "a host and a port from 1 to 65535"));
                    break;
                case ProbeKind.Prometheus when probe.Url is null:
                    errors.Add(string.IsNullOrEmpty(probe.Target)
                        ? new ValidationError($"{prefix}.url", null, "an absolute http:// URL of a Prometheus text exposition, or a target with a metrics_url")
                        : new ValidationError($"{prefix}.target", probe.Target, "a catalog target with a metrics_url (declare targets." + probe.Target + ".metrics_url, or give the probe a url)"));
                    break;
                case ProbeKind.Process when string.IsNullOrEmpty(probe.Target):
                    errors.Add(new ValidationError($"{prefix}.target", null, "a target name"));
                    break;
            }
        }

        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }
    }

    /// <summary>The problems with the experiment's loads: each needs an http(s) URL (a target's is looked up before) and a rate in range.</summary>
    internal static List<ValidationError> LoadErrors(ExperimentConfig config)
    {
        var errors = new List<ValidationError>();
        for (var i = 0; i < config.Loads.Count; i++)
        {
            var load = config.Loads[i];
            if (load.Url is null)
            {
                errors.Add(load.Target is null
                    ? new ValidationError($"loads[{i}].url", "none", "an absolute http:// URL, or a target whose catalog health_url is loaded")
                    : new ValidationError($"loads[{i}].target", load.Target, "a catalog target with a health_url (or give the load a url, or --bind it to one)"));
            }
            else if (load.Url.Scheme is not ("http" or "https"))
            {
                errors.Add(new ValidationError($"loads[{i}].url", load.Url.ToString(), "an absolute http:// or https:// URL"));
            }

            if (load.Rate is < 1 or > 10_000)
            {
                errors.Add(new ValidationError($"loads[{i}].rate", F(load.Rate), "1 to 10000 requests per second"));
            }
        }

        return errors;
    }

    /// <summary>
    /// The errors of a <c>target_services</c> list: a name neither in <paramref name="catalog"/> nor
    /// in an ad hoc form. Without a catalog only the form of each name is checked.
    /// </summary>
    internal static IEnumerable<ValidationError> CheckTargetServices(string owner, IReadOnlyList<string> services, IReadOnlyDictionary<string, Configuration.TargetDefinition>? catalog)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            var adHoc = AdHocPrefixes.Any(p => service.StartsWith(p, StringComparison.Ordinal) && service.Length > p.Length);
            if (string.IsNullOrWhiteSpace(service) || (!adHoc && catalog is not null && !catalog.ContainsKey(service)))
            {
                var known = catalog is null || catalog.Count == 0 ? "the catalog is empty" : "catalog: " + string.Join(", ", catalog.Keys.Order(StringComparer.Ordinal));
                yield return new ValidationError($"target_services[{i}]", service, $"a service '{owner}' can reach: a catalog service name ({known}), pid:N, name:PROCESS_NAME, docker:CONTAINER or agent:HOST/SERVICE");
            }
        }
    }

    /// <summary>What a fault outside the boundary is told: the experiment and its services.</summary>
    internal static string OutsideBoundary(string owner, IReadOnlyList<string> services) =>
        $"one of the target_services of '{owner}' ({string.Join(", ", services)}): a fault outside them is outside the experiment's boundary";

    private static void Within(List<ValidationError> errors, string field, TimeSpan value, Configuration.DurationLimit limit)
    {
        if (value < limit.Min || value > limit.Max)
        {
            errors.Add(new ValidationError(field, F(value), limit.Allowed));
        }
    }

    private static string F(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(TimeSpan value) => value.TotalSeconds.ToString(CultureInfo.InvariantCulture);
}
