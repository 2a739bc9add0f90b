namespace Bev.Chaos.Faults;

/// <summary>
/// Checks each fault type as the engine registers it, so that a declaration that cannot be right
/// fails at start-up, naming the type, never later on a user's request: names unique, the schema
/// readable (an options record's defaults within its bounds), and every profile setting only the
/// type's parameters to values its schema allows.
/// </summary>
internal static class FaultTypeRegistration
{
    /// <summary>The fault types by name, each checked.</summary>
    /// <exception cref="InvalidOperationException">A type is declared wrongly, or two share a name.</exception>
    public static Dictionary<string, FaultInjector> Register(IEnumerable<FaultInjector> injectors)
    {
        var registered = new Dictionary<string, FaultInjector>(StringComparer.Ordinal);
        foreach (var injector in injectors)
        {
            if (!registered.TryAdd(injector.Name, injector))
            {
                throw new InvalidOperationException($"fault type '{injector.Name}' is registered twice");
            }

            Check(injector);
        }

        return registered;
    }

    // The schema's own complaint, under the type initialisers it was thrown through (one per generic base that reads it).
    private static InvalidOperationException? Declaration(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is InvalidOperationException declaration)
            {
                return declaration;
            }
        }

        return null;
    }

    /// <summary>Checks one fault type's schema and profiles.</summary>
    /// <exception cref="InvalidOperationException">It is declared wrongly.</exception>
    public static void Check(FaultInjector injector)
    {
        IReadOnlyList<FaultParameter> parameters;
        try
        {
            parameters = injector.Parameters;
        }
        catch (TypeInitializationException ex) when (Declaration(ex) is { } declaration)
        {
            throw new InvalidOperationException($"fault type '{injector.Name}': {declaration.Message}", declaration);
        }

        if (parameters.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidOperationException($"fault type '{injector.Name}': the parameter '{twice.Key}' is declared twice");
        }

        foreach (var (name, profile) in injector.Profiles)
        {
            var errors = new List<ValidationError>();
            FaultParameterValidator.Validate(injector, profile, new Dictionary<string, object?>(), new Configuration.InjectorSettings(), errors);
            foreach (var unknown in profile.Parameters.Keys.Where(k => !parameters.Any(p => p.Name == k)))
            {
                errors.Add(new ValidationError($"parameters.{unknown}", null, "a parameter of " + injector.Name));
            }

            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"fault type '{injector.Name}': profile '{name}' is not valid: {string.Join("; ", errors)}");
            }
        }
    }
}
