using Bev.Chaos.Faults;

namespace Bev.Chaos.Tests.Faults;

/// <summary>The shape every built-in fault type shares: its own folder (constants, options, injector), its parameters from its options record, profiles built once.</summary>
public sealed class BuiltInInjectorsTests
{
    public static TheoryData<string> Names => [.. BuiltInInjectors.Create().Select(i => i.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Profiles_ReadTwice_SameInstance(string name)
    {
        var injector = BuiltInInjectors.Create().Single(i => i.Name == name);

        Assert.Same(injector.Profiles, injector.Profiles);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void InjectorType_EveryFaultType_LivesInItsOwnFolderNamedAfterIt(string name)
    {
        var type = BuiltInInjectors.Create().Single(i => i.Name == name).GetType();
        var folder = string.Concat(name.Split('_').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));
        var category = BuiltInInjectors.Create().Single(i => i.Name == name).Category;

        Assert.Equal($"Bev.Chaos.Faults.{category}.{folder}", type.Namespace);
        Assert.Equal($"{folder}Injector", type.Name);

        // The same file set as its siblings: a constants type beside the injector, naming it.
        var constants = type.Assembly.GetType($"{type.Namespace}.{folder}Constants");
        Assert.True(constants is not null, $"{type.Namespace}.{folder}Constants is missing");
        Assert.Equal(name, constants.GetField("Name")?.GetRawConstantValue());

        // And its options record, the one its injector is declared with.
        var options = type.Assembly.GetType($"{type.Namespace}.{folder}Options");
        Assert.True(options is not null, $"{type.Namespace}.{folder}Options is missing");
        Assert.Equal(options, OptionsTypeOf(type));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void InjectorType_EveryFaultType_DeclaresItsParametersAsAnOptionsRecord(string name)
    {
        var injector = BuiltInInjectors.Create().Single(i => i.Name == name);
        var optionsType = OptionsTypeOf(injector.GetType());

        // Its own options (the record's), first; the rest are a family's shared ones (a network mechanism's, the protocol seed).
        Assert.True(optionsType is not null, $"{injector.GetType().Name} does not derive from FaultInjector<TOptions>");
        var own = ((IReadOnlyList<FaultParameter>)typeof(Bev.Chaos.Faults.Options.FaultOptionsSchema<>).MakeGenericType(optionsType).GetProperty("Parameters")!.GetValue(null)!).Select(p => p.Name).ToList();
        Assert.NotEmpty(own);
        Assert.Equal(own, injector.Parameters.Take(own.Count).Select(p => p.Name));
    }

    [Fact]
    public void Register_EveryBuiltInType_ItsSchemaAndProfilesHold()
    {
        var registered = FaultTypeRegistration.Register(BuiltInInjectors.Create());

        Assert.Equal(29, registered.Count);
    }

    private static Type? OptionsTypeOf(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(FaultInjector<>))
            {
                return t.GetGenericArguments()[0];
            }
        }

        return null;
    }

    [Fact]
    public void Create_EveryInjectorType_AloneInItsNamespace()
    {
        var types = BuiltInInjectors.Create().Select(i => i.GetType()).ToList();

        var shared = types.GroupBy(t => t.Namespace).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(t => t.Name))}");

        Assert.Empty(shared);
        Assert.Equal(types.Count, types.Distinct().Count());
    }
}
