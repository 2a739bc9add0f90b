using System.Diagnostics;

namespace Bev.Chaos.IntegrationTests;

/// <summary>A filesystem a test mounts (as root) and unmounts afterwards.</summary>
internal sealed class TestMount : IDisposable
{
    private readonly string _path;

    private TestMount(string path) => _path = path;

    public static TestMount Tmpfs(string path, string size)
    {
        Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        return new TestMount(path);
    }

    public void Dispose() => Run("umount", "-l", _path);

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error}");
        }
    }
}
