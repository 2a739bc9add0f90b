namespace Bev.Chaos.Cli;

/// <summary>Finds programs built beside this one (the sample service, the helper).</summary>
internal static class SelfLocator
{
    /// <summary>The argv prefix that runs <paramref name="assemblyName"/> from this program's directory.</summary>
    public static IReadOnlyList<string> SiblingCommand(string assemblyName)
    {
        // Installed as a .NET tool the apphost is there but not executable (a package's zip keeps
        // no execute bit), so it is used only when it can run; the dll always can.
        var apphost = Path.Combine(AppContext.BaseDirectory, assemblyName);
        if (File.Exists(apphost) && (File.GetUnixFileMode(apphost) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
        {
            return [apphost];
        }

        var dll = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        return File.Exists(dll)
            ? [DotnetHost(), dll]
            : throw new InvalidOperationException($"{assemblyName} is missing from {AppContext.BaseDirectory}; rebuild with ./bev-chaos, or reinstall the bev-chaos tool");
    }

    /// <summary>The dotnet host that runs this program (a tool's shim starts it through the apphost, so dotnet need not be on PATH).</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        // The runtime directory is DOTNET_ROOT/shared/Microsoft.NETCore.App/VERSION/.
        var root = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }
}
