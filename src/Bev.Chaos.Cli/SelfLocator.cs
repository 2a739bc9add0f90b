namespace Bev.Chaos.Cli;

/// <summary>Finds programs built beside this one (the sample service, the helper).</summary>
internal static class SelfLocator
{
    /// <summary>The argv prefix that runs <paramref name="assemblyName"/> from this program's directory.</summary>
    public static IReadOnlyList<string> SiblingCommand(string assemblyName)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, assemblyName);
        if (File.Exists(apphost))
        {
            return [apphost];
        }

        var dll = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        return File.Exists(dll)
            ? ["dotnet", dll]
            : throw new InvalidOperationException($"{assemblyName} is missing from {AppContext.BaseDirectory}; rebuild with ./bev-chaos");
    }
}
