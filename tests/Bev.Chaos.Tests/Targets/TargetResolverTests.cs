using Bev.Chaos.Configuration;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests.Targets;

public sealed class TargetResolverTests
{
    private static TargetResolver Resolver(params TargetDefinition[] targets) =>
        new(new ChaosConfiguration { Targets = targets.ToDictionary(t => t.Name) });

    [Fact]
    public async Task Resolve_PidForm_FindsProcessAndDescendants()
    {
        using var shell = TestProcess.Start("/bin/sh", "-c", "sleep 600 & sleep 600 & wait");
        var target = await Poll.UntilAsync(() => Resolver().Resolve($"pid:{shell.Pid}"), t => t.Processes.Count == 3, TimeSpan.FromSeconds(5), "the shell's two children");

        Assert.Equal(shell.Pid, target.MainProcess.Pid);
        Assert.Equal(3, target.Processes.Count);
    }

    [Fact]
    public void Resolve_NameForm_MatchesComm()
    {
        using var sleeper = TestProcess.Sleeper();

        var target = Resolver().Resolve("name:sleep");

        Assert.Contains(target.Processes, p => p.Pid == sleeper.Pid);
    }

    [Fact]
    public void Resolve_CatalogPidFile_ReadsIt()
    {
        using var sleeper = TestProcess.Sleeper();
        using var dir = new TempDirectory();
        var pidFile = Path.Combine(dir.Path, "svc.pid");
        File.WriteAllText(pidFile, sleeper.Pid + "\n");

        var target = Resolver(new TargetDefinition { Name = "svc", PidFile = pidFile, Port = 8099 }).Resolve("svc");

        Assert.Equal(sleeper.Pid, target.MainProcess.Pid);
        Assert.Equal(8099, target.Port);
    }

    [Fact]
    public void Resolve_CatalogPidFileThatIsADevice_IsRefusedNotRead()
    {
        var error = Assert.Throws<ChaosValidationException>(() => Resolver(new TargetDefinition { Name = "svc", PidFile = "/dev/zero" }).Resolve("svc"));

        Assert.Equal("pid_file: '/dev/zero' is not allowed; allowed: a regular file (this is a character device)", error.Message);
    }

    [Theory]
    [InlineData("pid:1", "target_service: 'pid:1' is not allowed; allowed: a process other than pid 1 and the chaos engine itself")]
    [InlineData("pid:abc", "target_service: 'pid:abc' is not allowed; allowed: pid:N with N a positive process id")]
    [InlineData("name:no-such-process-xyz", "target_service: 'name:no-such-process-xyz' is not allowed; allowed: name:PROCESS_NAME of a running process (none is running by that name)")]
    [InlineData("docker:web", "target_service: 'docker:web' is not allowed; allowed: a process target (this engine has no Docker daemon configured)")]
    [InlineData("docker:", "target_service: 'docker:' is not allowed; allowed: docker:NAME, docker:ID or docker:label:KEY=VALUE")]
    [InlineData("agent:host/web", "target_service: 'agent:host/web' is not allowed; allowed: pid:N, name:PROCESS_NAME, docker:CONTAINER or a process or docker catalog service (agent targets are not available in this version)")]
    [InlineData("web", "target_service: 'web' is not allowed; allowed: a catalog service name (catalog: guarded), pid:N, name:PROCESS_NAME or docker:CONTAINER")]
    [InlineData("guarded", "target_service: 'guarded' is not allowed; allowed: a target not marked protected in the catalog")]
    public void Resolve_BadTargets_SayWhy(string name, string message)
    {
        var error = Assert.Throws<ChaosValidationException>(() => Resolver(new TargetDefinition { Name = "guarded", Pid = 1, Protected = true }).Resolve(name));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Resolve_OriginalExampleTargetWithEmptyCatalog_SaysHowToDeclareIt()
    {
        var error = Assert.Throws<ChaosValidationException>(() => Resolver().Resolve("web-server"));

        Assert.Equal(
            "target_service: 'web-server' is not allowed; allowed: a catalog service name (the catalog is empty: declare web-server under targets: in the configuration (--config FILE), or start with --config config/demo.yaml, whose catalog has web-server and the demo pipeline), pid:N, name:PROCESS_NAME or docker:CONTAINER",
            error.Message);
    }

    [Fact]
    public void Resolve_Self_IsRefused()
    {
        var error = Assert.Throws<ChaosValidationException>(() => Resolver().Resolve($"pid:{Environment.ProcessId}"));

        Assert.Contains("the chaos engine itself", error.Message);
    }
}
