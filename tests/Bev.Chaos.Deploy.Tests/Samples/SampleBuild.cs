using System.Text.Json;
using Bev.Chaos.Deploy.Tests.Packages;

namespace Bev.Chaos.Deploy.Tests.Samples;

/// <summary>
/// samples/examples copied out of the repository (so the test's restore leaves nothing in the
/// working tree) and built once, as one solution and one restore, against the packed packages:
/// the feed's nuget.config replaces the samples' own, and Bev.Chaos is a PackageReference.
/// </summary>
internal static class SampleBuild
{
    /// <summary>The ports the samples' catalog names; each test gives its sample free ones.</summary>
    public static readonly int[] CatalogPorts = [18091, 18092, 18093, 18094, 18095, 18096];

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _root;
    private static string? _error;

    /// <summary>The folder of the built samples; fails the calling test when the build failed.</summary>
    public static async Task<string> EnsureAsync(PackageFeed feed)
    {
        feed.EnsurePacked();
        await Gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_root is null && _error is null)
            {
                var root = Path.Combine(feed.Scratch, "samples");
                CopyTree(Path.Combine(Tool.RepositoryRoot(), "samples", "examples"), root);
                File.Copy(feed.NuGetConfig, Path.Combine(root, "nuget.config"), overwrite: true);
                var (exit, output) = await Tool.RunAsync("dotnet", ["build", Path.Combine(root, "Samples.slnx"), "-c", "Release", $"-p:BevChaosVersion={feed.Version}", "-nologo", "-tl:off", "-v", "quiet"], TimeSpan.FromMinutes(5), root);
                _error = exit != 0 ? "the samples did not build against the packages: " + output : PackageReferenceProblem(root, feed.Version);
                _root = _error is null ? root : null;
            }

            Assert.True(_error is null, _error);
            return _root!;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A sample's apphost.</summary>
    public static string Program(string root, string sample) => Path.Combine(root, sample, "bin", "Release", "net10.0", sample);

    /// <summary>Points the sample's catalog (its output's chaos_engineer.yaml) at free ports, returned by the original port.</summary>
    public static Dictionary<int, int> UseFreePorts(string root, string sample)
    {
        var listeners = CatalogPorts.Select(_ => new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            var ports = CatalogPorts.Zip(listeners, (original, l) => (original, ((System.Net.IPEndPoint)l.LocalEndpoint).Port)).ToDictionary(p => p.original, p => p.Port);
            var catalog = Path.Combine(Path.GetDirectoryName(Program(root, sample))!, "chaos_engineer.yaml");
            var text = File.ReadAllText(catalog);
            foreach (var (original, port) in ports)
            {
                text = text.Replace(original.ToString(System.Globalization.CultureInfo.InvariantCulture), port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            }

            File.WriteAllText(catalog, text);
            return ports;
        }
        finally
        {
            listeners.ForEach(l => l.Dispose());
        }
    }

    // What the issue asks to prove: the samples took Bev.Chaos from the feed, not from the source tree.
    private static string? PackageReferenceProblem(string root, string version)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "QuickStart", "obj", "project.assets.json")));
        var target = assets.RootElement.GetProperty("targets").EnumerateObject().First().Value;
        return target.TryGetProperty($"Bev.Chaos/{version}", out var library) && library.GetProperty("type").GetString() == "package"
            ? null
            : $"QuickStart's project.assets.json has no package Bev.Chaos/{version}: {target}";
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
        {
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }
}
