using System.Reflection;
using System.Text.RegularExpressions;

namespace Bev.Chaos.Deploy.Tests.Packages;

/// <summary>
/// The solution packed once per test run (`dotnet pack Bev.Chaos.slnx --no-build`, from the build
/// the tests run on) into a temporary local feed, and a nuget.config that restores from it with a
/// global packages folder of its own — so a package rebuilt under the same version is never
/// served stale from ~/.nuget/packages, which is still read as a fallback for the dependencies.
/// </summary>
public sealed partial class PackageFeed : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "bev-chaos-feed-" + Guid.NewGuid().ToString("N")[..10]);
    private string? _packError;

    /// <summary>The folder the packages are in.</summary>
    public string Feed => Path.Combine(_root, "feed");

    /// <summary>A nuget.config: the feed, nuget.org, a private global packages folder.</summary>
    public string NuGetConfig => Path.Combine(_root, "nuget.config");

    /// <summary>The packages' version (one for all, from Directory.Build.props).</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>Scratch space removed with the feed.</summary>
    public string Scratch => Path.Combine(_root, "scratch");

    /// <summary>The packed file names, e.g. <c>Bev.Chaos.1.0.0.nupkg</c>.</summary>
    public IReadOnlyList<string> Files { get; private set; } = [];

    /// <summary>Fails the calling test if packing failed (the fixture itself must not throw).</summary>
    public void EnsurePacked() => Assert.True(_packError is null, _packError);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(Scratch);
        var configuration = typeof(PackageFeed).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var (exit, output) = await Tool.RunAsync("dotnet", ["pack", Path.Combine(Tool.RepositoryRoot(), "Bev.Chaos.slnx"), "-c", configuration, "--no-build", "-o", Feed, "-nologo", "-tl:off", "-v", "quiet"], TimeSpan.FromMinutes(5));
        Files = [.. Directory.EnumerateFiles(Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        var tool = Files.Select(f => ToolPackage().Match(f)).FirstOrDefault(m => m.Success);
        if (exit != 0 || tool is null)
        {
            _packError = $"dotnet pack exited {exit} (files: {string.Join(", ", Files)}): {output}";
            return;
        }

        Version = tool.Groups[1].Value;
        var fallback = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(NuGetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(_root, "packages")}" />
              </config>
              <fallbackPackageFolders>
                <clear />
                <add key="user" value="{fallback}" />
              </fallbackPackageFolders>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"^bev-chaos\.(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.nupkg$")]
    private static partial Regex ToolPackage();
}
