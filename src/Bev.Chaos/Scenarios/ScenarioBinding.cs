using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;

namespace Bev.Chaos.Scenarios;

/// <summary>
/// Binds a scenario's service names to real targets for one run (<c>--bind SERVICE=TARGET</c>):
/// every fault, target service and probe that names SERVICE uses TARGET instead — a catalog name or
/// any ad-hoc form (<c>pid:N</c>, <c>name:P</c>, <c>docker:C</c>, <c>agent:H/S</c>). So a built-in
/// scenario runs against a user's own process without a configuration file.
/// </summary>
public static class ScenarioBinding
{
    /// <summary>Parses <c>SERVICE=TARGET</c> pairs.</summary>
    /// <exception cref="ChaosValidationException">A pair without <c>=</c>, an empty side, or a service bound twice.</exception>
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<ValidationError>();
        foreach (var pair in pairs)
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || at == pair.Length - 1)
            {
                errors.Add(new ValidationError("--bind", pair, "SERVICE=TARGET, e.g. data-collector=pid:4242 (TARGET: a catalog name, pid:N, name:PROCESS_NAME, docker:CONTAINER or agent:HOST/SERVICE)"));
                continue;
            }

            var service = pair[..at].Trim();
            if (!result.TryAdd(service, pair[(at + 1)..].Trim()))
            {
                errors.Add(new ValidationError("--bind", pair, $"each service bound once ({service} is bound twice)"));
            }
        }

        return errors.Count > 0 ? throw new ChaosValidationException(errors) : result;
    }

    /// <summary>The service names an experiment refers to: its target services, its faults' targets, its probes' and its loads' targets.</summary>
    public static IReadOnlyList<string> Services(ExperimentConfig experiment) =>
        experiment.TargetServices
            .Concat(experiment.FaultInjections.Select(f => f.TargetService))
            .Concat(experiment.SteadyStateProbes.Select(p => p.Target).OfType<string>())
            .Concat(experiment.Loads.Select(l => l.Target).OfType<string>())
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>The experiment with every bound service name replaced by its target.</summary>
    public static ExperimentConfig Apply(ExperimentConfig experiment, IReadOnlyDictionary<string, string> bindings)
    {
        if (bindings.Count == 0)
        {
            return experiment;
        }

        string Bound(string name) => bindings.GetValueOrDefault(name, name);
        return experiment with
        {
            TargetServices = experiment.TargetServices.Select(Bound).Distinct(StringComparer.Ordinal).ToList(),
            FaultInjections = experiment.FaultInjections.Select(f => f with { TargetService = Bound(f.TargetService) }).ToList(),
            SteadyStateProbes = experiment.SteadyStateProbes.Select(p => p.Target is { } t ? p with { Target = Bound(t) } : p).ToList(),
            Loads = experiment.Loads.Select(l => l.Target is { } t ? l with { Target = Bound(t) } : l).ToList(),
        };
    }

    /// <summary>
    /// Checks bindings and catalog against the experiments before anything starts: a binding must
    /// name a service the experiments use, and every service left unbound must be in the catalog or
    /// be ad hoc. The error for a missing service says how to provide it.
    /// </summary>
    /// <exception cref="ChaosValidationException">Every problem.</exception>
    public static void Check(IReadOnlyList<ExperimentConfig> unbound, IReadOnlyDictionary<string, string> bindings, IReadOnlyDictionary<string, TargetDefinition> catalog)
    {
        var errors = new List<ValidationError>();
        var used = unbound.SelectMany(Services).Distinct(StringComparer.Ordinal).ToList();
        foreach (var service in bindings.Keys.Where(s => !used.Contains(s, StringComparer.Ordinal)))
        {
            errors.Add(new ValidationError("--bind", $"{service}={bindings[service]}", "a service the scenario names: " + string.Join(", ", used)));
        }

        foreach (var service in used.Where(s => !bindings.ContainsKey(s) && !IsAdHoc(s) && !catalog.ContainsKey(s)))
        {
            var known = catalog.Count == 0 ? "the catalog is empty" : "the catalog has " + string.Join(", ", catalog.Keys.Order(StringComparer.Ordinal));
            errors.Add(new ValidationError("target_service", service,
                $"a service of the catalog ({known}): bind it for this run with --bind {service}=pid:N (or name:PROCESS_NAME, docker:CONTAINER, agent:HOST/SERVICE, a catalog name), or load a catalog that has it, e.g. --config config/demo.yaml (the demo pipeline's)"));
        }

        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }
    }

    private static bool IsAdHoc(string target) =>
        target.StartsWith("pid:", StringComparison.Ordinal) || target.StartsWith("name:", StringComparison.Ordinal)
        || target.StartsWith("docker:", StringComparison.Ordinal) || target.StartsWith("agent:", StringComparison.Ordinal);
}
