using System.Runtime.InteropServices;

namespace Bev.Chaos.TestSupport;

/// <summary>
/// Capabilities a test needs. Missing ones skip the test with the reason — except under CI=true,
/// where every capability is provided and a missing one is a failure.
/// </summary>
internal static partial class Requires
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsRoot => geteuid() == 0;

    public static void Root()
    {
        if (!IsRoot)
        {
            Missing("needs root");
        }
    }

    public static void CgroupV1(string controller)
    {
        Root();
        if (!File.Exists($"/sys/fs/cgroup/{controller}/cgroup.procs"))
        {
            Missing($"needs the cgroup v1 '{controller}' controller at /sys/fs/cgroup/{controller}");
        }
    }

    public static void Program(string name)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));
        if (!found)
        {
            Missing($"needs the program '{name}' on PATH");
        }
    }

    /// <summary>A capability checked by the caller: skips (fails under CI) with "needs <paramref name="what"/>".</summary>
    public static void Capability(string what) => Missing("needs " + what);

    private static void Missing(string reason)
    {
        if (InCi)
        {
            Assert.Fail($"CI=true provides every capability, but this test {reason}");
        }

        Assert.Skip(reason);
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
