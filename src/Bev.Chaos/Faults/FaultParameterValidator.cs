using System.Globalization;
using Bev.Chaos.Configuration;

namespace Bev.Chaos.Faults;

/// <summary>Merges defaults, profile and request values and checks each against its type, bounds and configured cap.</summary>
internal static class FaultParameterValidator
{
    public static FaultParameters Validate(
        FaultInjector injector,
        FaultProfile? profile,
        IReadOnlyDictionary<string, object?> requested,
        InjectorSettings settings,
        List<ValidationError> errors)
    {
        var known = injector.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var name in requested.Keys.Where(k => !known.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            errors.Add(new ValidationError($"parameters.{name}", FaultParameters.ToText(requested[name]), $"a parameter of {injector.Name}: {string.Join(", ", known.Keys)}"));
        }

        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var parameter in injector.Parameters)
        {
            object? raw = requested.TryGetValue(parameter.Name, out var r) ? r
                : profile is not null && profile.Parameters.TryGetValue(parameter.Name, out var p) ? p
                : parameter.Default;
            if (raw is null)
            {
                if (!parameter.Optional)
                {
                    errors.Add(new ValidationError($"parameters.{parameter.Name}", null, parameter.DescribeAllowed(null, null)));
                }

                continue;
            }

            var (max, capSource) = EffectiveMax(injector, parameter, settings);
            var text = FaultParameters.ToText(raw) ?? string.Empty;
            if (TryParse(parameter, text, max, out var value))
            {
                values[parameter.Name] = value;
            }
            else
            {
                errors.Add(new ValidationError($"parameters.{parameter.Name}", text, parameter.DescribeAllowed(max, capSource)));
            }
        }

        return new FaultParameters(values);
    }

    private static (double? Max, string? Source) EffectiveMax(FaultInjector injector, FaultParameter parameter, InjectorSettings settings)
    {
        if (parameter.CapKey is { } key && settings.Caps.TryGetValue(key, out var cap) && (parameter.Max is null || cap < parameter.Max))
        {
            return (cap, $"fault_injectors.{injector.Name}.{key}");
        }

        return (parameter.Max, null);
    }

    private static bool TryParse(FaultParameter parameter, string text, double? max, out object value)
    {
        value = text;
        switch (parameter.Type)
        {
            case FaultParameterType.Integer:
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && InRange(l, parameter.Min, max))
                {
                    value = l;
                    return true;
                }

                return false;
            case FaultParameterType.Number:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && InRange(d, parameter.Min, max))
                {
                    value = d;
                    return true;
                }

                return false;
            case FaultParameterType.Boolean:
                if (bool.TryParse(text, out var b))
                {
                    value = b;
                    return true;
                }

                return false;
            default:
                return parameter.AllowedValues is null || parameter.AllowedValues.Contains(text, StringComparer.Ordinal);
        }
    }

    private static bool InRange(double value, double? min, double? max) => (min is null || value >= min) && (max is null || value <= max);
}
