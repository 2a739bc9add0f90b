using Bev.Chaos.Faults.Storage.DiskFill;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests.Faults;

/// <summary>
/// disk_fill's container paths are resolved inside the container's root: a link there never leads
/// to the host. A directory of the test's own stands for the container's root.
/// </summary>
public sealed class ContainedPathTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public ContainedPathTests()
    {
        Directory.CreateDirectory(Path.Combine(_root.Path, "tmp", "real"));
        Directory.CreateDirectory(Path.Combine(_root.Path, "var", "tmp"));
        Directory.CreateDirectory(Path.Combine(_root.Path, "etc"));
    }

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("/tmp/real", "/tmp/real")]
    [InlineData("/tmp/./real/../real", "/tmp/real")]
    [InlineData("/../../tmp", "/tmp")]
    public void Resolve_PlainPaths_AreNormalisedInsideTheRoot(string inner, string expected) =>
        Assert.Equal(expected, ContainedPath.Resolve(_root.Path, inner));

    [Fact]
    public void Resolve_AbsoluteLinkOut_LeadsToTheContainersEtc_NotTheHosts()
    {
        File.CreateSymbolicLink(Path.Combine(_root.Path, "tmp", "l"), "/etc");

        // Through /proc/PID/root the kernel would follow it to the host's /etc; inside the root it
        // is the container's /etc, which the allowed roots (/tmp, /var/tmp) then refuse.
        Assert.Equal("/etc", ContainedPath.Resolve(_root.Path, "/tmp/l"));
    }

    [Fact]
    public void Resolve_RelativeLinkClimbingOut_StopsAtTheRoot()
    {
        File.CreateSymbolicLink(Path.Combine(_root.Path, "tmp", "up"), "../../../../../etc");

        Assert.Equal("/etc", ContainedPath.Resolve(_root.Path, "/tmp/up"));
    }

    [Fact]
    public void Resolve_LinksWithinTheRoot_AreFollowedThere()
    {
        File.CreateSymbolicLink(Path.Combine(_root.Path, "tmp", "v"), "/var/tmp");
        File.CreateSymbolicLink(Path.Combine(_root.Path, "tmp", "r"), "real");

        Assert.Equal("/var/tmp", ContainedPath.Resolve(_root.Path, "/tmp/v"));
        Assert.Equal("/tmp/real", ContainedPath.Resolve(_root.Path, "/tmp/r"));
    }

    [Fact]
    public void Resolve_ALinkLoop_IsAnError()
    {
        File.CreateSymbolicLink(Path.Combine(_root.Path, "tmp", "a"), "b");
        File.CreateSymbolicLink(Path.Combine(_root.Path, "tmp", "b"), "a");

        Assert.Throws<IOException>(() => ContainedPath.Resolve(_root.Path, "/tmp/a"));
    }
}
