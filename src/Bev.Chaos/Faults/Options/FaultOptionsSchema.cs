using System.Globalization;
using System.Reflection;

namespace Bev.Chaos.Faults.Options;

/// <summary>
/// The parameter schema of an options record, read once from its <see cref="FaultOptionAttribute"/>
/// properties, and the binding of validated parameters onto a new record. A declaration that cannot
/// be right (an unsupported property type, a default outside its bounds or its allowed values, a
/// name used twice) fails the first use of the type, naming the property.
/// </summary>
/// <typeparam name="TOptions">The options record: public settable (or init) properties, a parameterless constructor.</typeparam>
internal static class FaultOptionsSchema<TOptions>
    where TOptions : class, new()
{
    private static readonly (PropertyInfo Property, FaultParameter Parameter)[] Options = Read();

    /// <summary>The parameters, in declaration order (base record's first).</summary>
    public static IReadOnlyList<FaultParameter> Parameters { get; } = [.. Options.Select(o => o.Parameter)];

    /// <summary>A new record with the validated <paramref name="parameters"/> set; defaults elsewhere.</summary>
    public static TOptions Bind(FaultParameters parameters)
    {
        var options = new TOptions();
        foreach (var (property, parameter) in Options)
        {
            if (!parameters.Has(parameter.Name))
            {
                continue;
            }

            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object value = parameter.Type switch
            {
                FaultParameterType.Integer when type == typeof(int) => parameters.GetInt32(parameter.Name),
                FaultParameterType.Integer => parameters.GetInteger(parameter.Name),
                FaultParameterType.Number => parameters.GetNumber(parameter.Name),
                FaultParameterType.Boolean => parameters.GetBoolean(parameter.Name),
                _ => parameters.GetString(parameter.Name),
            };
            property.SetValue(options, value);
        }

        return options;
    }

    private static (PropertyInfo, FaultParameter)[] Read()
    {
        var defaults = new TOptions();
        var read = new List<(PropertyInfo, FaultParameter)>();

        // Base records first, so shared options (a proxy fault's dependency, stream, toxicity) lead.
        var chain = new Stack<Type>();
        for (var type = typeof(TOptions); type is not null && type != typeof(object); type = type.BaseType)
        {
            chain.Push(type);
        }

        foreach (var type in chain)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (property.GetCustomAttribute<FaultOptionAttribute>() is { } option)
                {
                    read.Add((property, Describe(property, option, property.GetValue(defaults))));
                }
            }
        }

        var twice = read.GroupBy(r => r.Item2.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? [.. read] : throw Invalid(twice.First().Item1, $"the parameter name '{twice.Key}' is declared twice");
    }

    private static FaultParameter Describe(PropertyInfo property, FaultOptionAttribute option, object? @default)
    {
        if (property.SetMethod is not { IsPublic: true })
        {
            throw Invalid(property, "an option needs a public setter or init");
        }

        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var kind = type == typeof(int) || type == typeof(long) ? FaultParameterType.Integer
            : type == typeof(double) ? FaultParameterType.Number
            : type == typeof(bool) ? FaultParameterType.Boolean
            : type == typeof(string) ? FaultParameterType.String
            : throw Invalid(property, $"{type.Name} is not an option type (int, long, double, bool or string)");
        var nullable = !property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null;
        double? min = double.IsNaN(option.Min) ? null : option.Min;
        double? max = double.IsNaN(option.Max) ? null : option.Max;
        if (kind is FaultParameterType.Integer or FaultParameterType.Number && (min is null || max is null))
        {
            throw Invalid(property, "a number needs both Min and Max");
        }

        if (@default is not null && kind is FaultParameterType.Integer or FaultParameterType.Number)
        {
            var value = Convert.ToDouble(@default, CultureInfo.InvariantCulture);
            if (value < min || value > max)
            {
                throw Invalid(property, $"its default {value.ToString(CultureInfo.InvariantCulture)} is outside {min?.ToString(CultureInfo.InvariantCulture)}–{max?.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (@default is string text && option.AllowedValues is { Length: > 0 } allowed && !allowed.Contains(text, StringComparer.Ordinal))
        {
            throw Invalid(property, $"its default '{text}' is not one of its allowed values ({string.Join(", ", allowed)})");
        }

        return new FaultParameter(option.Name, kind, option.Description)
        {
            // The schema's defaults are as the validator types them: whole numbers as long.
            Default = @default is int i ? (long)i : @default,
            Min = min,
            Max = max,
            CapKey = option.CapKey,
            AllowedValues = option.AllowedValues is { Length: > 0 } values ? values : null,
            // A nullable option left at null has no value: it may be left out.
            Optional = nullable && @default is null,
        };
    }

    private static InvalidOperationException Invalid(PropertyInfo property, string problem) =>
        new($"fault options {property.DeclaringType?.Name}.{property.Name}: {problem}");
}
