using System.Globalization;
using Bev.Chaos.Configuration;
using Bev.Chaos.Targets;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Faults;

/// <summary>
/// Turns a request into a complete <see cref="FaultContext"/> or one exception with every problem:
/// injector, profile, parameters against schema and caps, duration against its cap, the target and
/// the blast radius, then the injector's own checks. Also checks the <c>fault_injectors:</c>
/// configuration against the injectors once.
/// </summary>
internal sealed class FaultRequestValidator(
    ChaosConfiguration configuration,
    IReadOnlyDictionary<string, FaultInjector> injectors,
    TargetResolver targets,
    TimeProvider time,
    string dataDirectory,
    ILogger logger)
{
    /// <summary>Builds the context of <paramref name="request"/>; nothing is applied.</summary>
    /// <exception cref="ChaosValidationException">Every problem with the request.</exception>
    public FaultContext Build(FaultRequest request, out FaultInjector injector)
    {
        var (injectorName, targetService, profileName, parameters, duration, maxPercent) = request;
        if (!injectors.TryGetValue(injectorName ?? string.Empty, out var found))
        {
            throw new ChaosValidationException("injector_name", injectorName, "one of " + string.Join(", ", injectors.Keys.Order(StringComparer.Ordinal)));
        }

        injector = found;
        var settings = configuration.InjectorSettingsFor(injector.Name);
        if (!settings.Enabled)
        {
            throw new ChaosValidationException("injector_name", injectorName, $"an enabled injector (fault_injectors.{injector.Name}.enabled is false)");
        }

        var errors = new List<ValidationError>();
        FaultProfile? profile = null;
        if (profileName is not null && !injector.Profiles.TryGetValue(profileName, out profile))
        {
            errors.Add(new ValidationError("profile_name", profileName, injector.Profiles.Count == 0 ? $"no profile ({injector.Name} has none)" : "one of " + string.Join(", ", injector.Profiles.Keys)));
        }

        var values = FaultParameterValidator.Validate(injector, profile, parameters ?? new Dictionary<string, object?>(), settings, errors);
        var length = Duration(injector, settings, duration ?? profile?.Duration ?? configuration.Global.DefaultFaultDuration, errors);
        var target = Target(targetService, maxPercent, errors);
        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }

        var context = new FaultContext
        {
            FaultId = $"{injector.Name}-{Guid.NewGuid().ToString("N")[..12]}",
            Target = target!,
            Parameters = values,
            Duration = length,
            ExpiresAt = time.GetUtcNow() + length,
            Settings = settings,
            Configuration = configuration,
            TimeProvider = time,
            DataDirectory = dataDirectory,
            Logger = logger,
        };
        injector.Validate(context, errors);
        return errors.Count > 0 ? throw new ChaosValidationException(errors) : context;
    }

    /// <summary>Checks <c>fault_injectors:</c>: every name an injector, every cap one of its caps.</summary>
    /// <exception cref="ChaosValidationException">Every problem, with the file and line of each.</exception>
    public void ValidateConfiguration()
    {
        var errors = new List<ValidationError>();
        foreach (var (name, settings) in configuration.FaultInjectors)
        {
            if (!injectors.TryGetValue(name, out var injector))
            {
                errors.Add(new ValidationError($"fault_injectors.{name}", name, "an injector name: " + string.Join(", ", injectors.Keys.Order(StringComparer.Ordinal)), configuration.SourceFile));
                continue;
            }

            var capKeys = injector.Parameters.Where(p => p.CapKey is not null).Select(p => p.CapKey!).ToHashSet(StringComparer.Ordinal);
            foreach (var cap in settings.Caps.Keys.Where(k => !capKeys.Contains(k)))
            {
                settings.CapLocations.TryGetValue(cap, out var where);
                errors.Add(new ValidationError($"fault_injectors.{name}.{cap}", settings.Caps[cap].ToString(CultureInfo.InvariantCulture),
                    capKeys.Count == 0 ? $"no caps ({name} has none; use enabled, max_duration)" : "a cap of " + name + ": " + string.Join(", ", capKeys.Order(StringComparer.Ordinal)), where));
            }
        }

        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }
    }

    // The injector's own max_duration when it is stricter than the global cap.
    private TimeSpan Duration(FaultInjector injector, InjectorSettings settings, TimeSpan length, List<ValidationError> errors)
    {
        var global = configuration.Global.MaxFaultDuration;
        var (cap, capSource) = settings.MaxDuration is { } own && own < global ? (own, $"fault_injectors.{injector.Name}.max_duration") : (global, "global.max_fault_duration");
        if (length <= TimeSpan.Zero || length > cap)
        {
            errors.Add(new ValidationError("duration_seconds", length.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                $"more than 0 and at most {cap.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds ({capSource})"));
        }

        return length;
    }

    private ResolvedTarget? Target(string targetService, int maxPercent, List<ValidationError> errors)
    {
        try
        {
            var target = targets.Resolve(targetService);
            if (maxPercent is < 1 or > 100)
            {
                errors.Add(new ValidationError("max_percent", maxPercent.ToString(CultureInfo.InvariantCulture), "1 to 100"));
            }
            else if (maxPercent < 100)
            {
                // Blast radius: only the first share of the matched processes (at least one).
                var keep = Math.Max(1, (int)Math.Floor(target.Processes.Count * maxPercent / 100.0));
                target = target with { Processes = target.Processes.Take(keep).ToList() };
            }

            return target;
        }
        catch (ChaosValidationException ex)
        {
            errors.AddRange(ex.Errors);
            return null;
        }
    }
}
