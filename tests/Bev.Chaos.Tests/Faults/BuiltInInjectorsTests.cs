using Bev.Chaos.Faults;

namespace Bev.Chaos.Tests.Faults;

/// <summary>The shape every built-in fault type shares: its own folder, profiles built once.</summary>
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
