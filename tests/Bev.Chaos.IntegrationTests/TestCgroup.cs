using System.Globalization;

namespace Bev.Chaos.IntegrationTests;

/// <summary>A cgroup a test makes for its target in some v1 hierarchies, removed afterwards.</summary>
internal sealed class TestCgroup : IDisposable
{
    private readonly string[] _controllers;

    public TestCgroup(params string[] controllers)
    {
        _controllers = controllers;
        Path = "/bev-test-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var controller in controllers)
        {
            Directory.CreateDirectory(Dir(controller));
        }
    }

    /// <summary>The cgroup path within each hierarchy.</summary>
    public string Path { get; }

    public string Dir(string controller) => $"/sys/fs/cgroup/{controller}{Path}";

    public void Add(int pid)
    {
        foreach (var controller in _controllers)
        {
            File.WriteAllText(System.IO.Path.Combine(Dir(controller), "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        }
    }

    public void Dispose()
    {
        foreach (var controller in _controllers)
        {
            var dir = Dir(controller);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var child in Directory.GetDirectories(dir))
            {
                TryEmptyAndDelete(controller, child);
            }

            TryEmptyAndDelete(controller, dir);
        }
    }

    private static void TryEmptyAndDelete(string controller, string dir)
    {
        foreach (var pid in File.ReadAllLines(System.IO.Path.Combine(dir, "cgroup.procs")).Where(l => l.Length > 0))
        {
            try
            {
                File.WriteAllText($"/sys/fs/cgroup/{controller}/cgroup.procs", pid);
            }
            catch (IOException)
            {
            }
        }

        try
        {
            Directory.Delete(dir);
        }
        catch (IOException)
        {
        }
    }
}
