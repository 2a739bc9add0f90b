using System.Diagnostics;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Containers;

/// <summary>
/// Containers for tests on the daemon at DOCKER_HOST (test.sh starts a private one), from an image
/// built here with <c>docker import</c> of a busybox-static rootfs — no registry is reachable.
/// Every container runs with <c>--network none</c> and is removed at the end.
/// </summary>
internal sealed class TestContainers : IDisposable
{
    public const string Image = "bev-chaos-test/busybox:2";
    private static readonly SemaphoreSlim ImageGate = new(1, 1);
    private readonly List<string> _names = [];

    public static void Require()
    {
        Requires.Program("docker");
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is not { Length: > 0 } || Docker("info").Code != 0)
        {
            Requires.Capability("a Docker daemon at DOCKER_HOST (test.sh starts one as root)");
        }
    }

    /// <summary>Starts <c>sleep 600</c> in a new container with <paramref name="labels"/>; returns its name.</summary>
    public Task<string> RunAsync(params string[] labels) => RunCommandAsync(["/bin/sleep", "600"], labels);

    /// <summary>Starts <paramref name="command"/> in a new container with <paramref name="labels"/>; returns its name.</summary>
    public async Task<string> RunCommandAsync(string[] command, params string[] labels)
    {
        await EnsureImageAsync();
        var name = "bev-chaos-test-" + Guid.NewGuid().ToString("N")[..10];
        _names.Add(name);
        var args = new List<string> { "run", "-d", "--network", "none", "--name", name };
        foreach (var label in labels)
        {
            args.AddRange(["--label", label]);
        }

        args.Add(Image);
        args.AddRange(command);
        var (code, output) = Docker([.. args]);
        Assert.True(code == 0, "docker run: " + output);
        return name;
    }

    public static (int Code, string Output) Docker(params string[] args)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }

    /// <summary>One field of <c>docker inspect</c>, e.g. <c>{{.State.Paused}}</c>.</summary>
    public static string Inspect(string name, string format) => Docker("inspect", "-f", format, name).Output;

    private static async Task EnsureImageAsync()
    {
        await ImageGate.WaitAsync();
        try
        {
            if (Docker("image", "inspect", Image).Code == 0)
            {
                return;
            }

            using var root = new TempDirectory();
            var bin = Directory.CreateDirectory(Path.Combine(root.Path, "rootfs", "bin")).FullName;
            var tmp = Directory.CreateDirectory(Path.Combine(root.Path, "rootfs", "tmp")).FullName;
            File.SetUnixFileMode(tmp, (UnixFileMode)0b1_111_111_111);
            File.Copy("/bin/busybox", Path.Combine(bin, "busybox"));
            foreach (var applet in new[] { "sh", "sleep", "cat", "httpd", "ls", "stat" })
            {
                File.CreateSymbolicLink(Path.Combine(bin, applet), "busybox");
            }

            var tar = Path.Combine(root.Path, "rootfs.tar");
            var packed = Process.Start("tar", ["-C", Path.Combine(root.Path, "rootfs"), "-cf", tar, "."])!;
            await packed.WaitForExitAsync();
            Assert.Equal(0, packed.ExitCode);
            var (code, output) = Docker("import", tar, Image);
            Assert.True(code == 0, "docker import: " + output);
        }
        finally
        {
            ImageGate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var name in _names)
        {
            Docker("rm", "-f", name);
        }
    }
}
