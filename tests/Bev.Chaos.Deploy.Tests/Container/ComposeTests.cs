using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Bev.Chaos.Deploy.Tests.Container;

/// <summary>
/// The container as the original's users run it: deploy/local-images.sh builds bev-chaos:local
/// (base images cached by tag), `docker-compose up -d chaos-engineer` starts it, and faults injected
/// through its API act on a process of this host — and come out again on emergency stop, and after
/// the container was SIGKILLed mid-fault and started again (from the volume's journal) — and
/// `docker-compose down` with faults held (a host process and a sibling container paused, an
/// nftables rule in the sibling's namespace) leaves no container, volume, fault or rule behind.
/// </summary>
public sealed class ComposeTests
{
    [Fact]
    public async Task ComposeUp_ChaosEngineer_FaultsHostProcessAndSiblingRevertsAfterKillAndDownLeavesNothing()
    {
        Requires.Root();
        Requires.Program("docker");
        Requires.Program("docker-compose");
        Requires.Program("debootstrap");
        Requires.Program("nft");
        Requires.Program("nsenter");
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrEmpty(dockerHost) && !File.Exists("/var/run/docker.sock"))
        {
            Requires.Capability("a Docker daemon (DOCKER_HOST, as ./test.sh exports it)");
        }

        var root = Tool.RepositoryRoot();
        var (exit, output) = await Tool.RunAsync(Path.Combine(root, "deploy", "local-images.sh"), [], TimeSpan.FromMinutes(30), root);
        Assert.True(exit == 0, "deploy/local-images.sh: " + output);

        using var work = new TempDirectory();
        var project = "bevchaos" + Guid.NewGuid().ToString("N")[..8];
        var port = FreePort();
        var environment = new Dictionary<string, string?>
        {
            ["BEV_CHAOS_IMAGE"] = "bev-chaos:local",
            ["BEV_CHAOS_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["BEV_CHAOS_TOXIPROXY_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["BEV_CHAOS_LOGS"] = Path.Combine(work.Path, "logs"),
            ["BEV_CHAOS_DOCKER_SOCKET"] = dockerHost is { Length: > 0 } && dockerHost.StartsWith("unix://", StringComparison.Ordinal) ? dockerHost["unix://".Length..] : "/var/run/docker.sock",
            ["COMPOSE_PROJECT_NAME"] = project,
        };
        Task<(int, string)> Compose(params string[] args) =>
            Tool.RunAsync("docker-compose", ["-f", Path.Combine(root, "compose.yaml"), .. args], TimeSpan.FromMinutes(3), root, environment);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        using var sleeper = new Sleeper();
        var sibling = project + "-sibling";
        var siblingPid = 0;
        var siblingPaused = "(not read)";
        var siblingRules = "(not read)";
        try
        {
            (exit, output) = await Compose("up", "-d", "chaos-engineer");
            Assert.True(exit == 0, "docker-compose up: " + output);
            await Poll.UntilAsync(() => HealthyAsync(http), TimeSpan.FromSeconds(90), "/health of the containerized API");
            var container = (await Docker(environment, "ps", "-q", "--filter", $"label=com.docker.compose.project={project}")).Trim();
            Assert.NotEmpty(container);
            await Poll.UntilAsync(async () => (await Docker(environment, "inspect", "-f", "{{.State.Health.Status}}", container)).Trim() == "healthy", TimeSpan.FromSeconds(90), "the container's HEALTHCHECK healthy");
            Assert.True(File.Exists(Path.Combine(work.Path, "logs", "chaos_engineering.log")), "the log at /app/logs/chaos_engineering.log, on the host's log folder");

            // A host process and a sibling container paused through the API; emergency stop resumes both.
            await InjectPauseAsync(http, $"pid:{sleeper.Pid}");
            await Poll.UntilAsync(() => sleeper.State == 'T', TimeSpan.FromSeconds(15), "the host sleeper paused (state T) by the container");
            await Docker(environment, "run", "-d", "--network", "none", "--name", sibling, "--label", $"bev-chaos-test={project}", await BusyboxImageAsync(environment, work.Path), "/bin/sleep", "600");
            await InjectPauseAsync(http, $"docker:{sibling}");
            await Poll.UntilAsync(async () => (await Docker(environment, "inspect", "-f", "{{.State.Paused}}", sibling)).Trim() == "true", TimeSpan.FromSeconds(15), "the sibling container paused");
            using (var stop = await http.PostAsync("/emergency-stop", null, TestContext.Current.CancellationToken))
            {
                Assert.True(stop.IsSuccessStatusCode, await stop.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            }

            await Poll.UntilAsync(() => sleeper.State != 'T', TimeSpan.FromSeconds(15), "the sleeper resumed by emergency stop");
            await Poll.UntilAsync(async () => (await Docker(environment, "inspect", "-f", "{{.State.Paused}}", sibling)).Trim() == "false", TimeSpan.FromSeconds(15), "the sibling container resumed by emergency stop");
            using (var release = await http.DeleteAsync("/emergency-stop", TestContext.Current.CancellationToken))
            {
                Assert.True(release.IsSuccessStatusCode, "releasing the safety lock: " + await release.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            }

            // Killed mid-fault: the pause stays; the container started again reverts it from the volume's journal.
            await InjectPauseAsync(http, $"pid:{sleeper.Pid}");
            await Poll.UntilAsync(() => sleeper.State == 'T', TimeSpan.FromSeconds(15), "the sleeper paused again");
            await Docker(environment, "kill", "-s", "KILL", container);
            await Poll.UntilAsync(async () => (await Docker(environment, "inspect", "-f", "{{.State.Running}}", container)).Trim() == "false", TimeSpan.FromSeconds(30), "the container dead");
            Assert.Equal('T', sleeper.State);
            (exit, output) = await Compose("up", "-d", "chaos-engineer");
            Assert.True(exit == 0, "docker-compose up again: " + output);
            await Poll.UntilAsync(() => sleeper.State != 'T', TimeSpan.FromSeconds(90), "the sleeper resumed by the restarted container from its journal");
            await Poll.UntilAsync(() => HealthyAsync(http), TimeSpan.FromSeconds(90), "/health after the restart");

            // Faults held when compose takes the service down: the host process and the sibling
            // paused, and a kernel rule (packet_loss, nftables) in the sibling's own namespace.
            siblingPid = int.Parse((await Docker(environment, "inspect", "-f", "{{.State.Pid}}", sibling)).Trim(), CultureInfo.InvariantCulture);
            var loss = await InjectAsync(http, "packet_loss", $"docker:{sibling}", new Dictionary<string, object> { ["mechanism"] = "kernel", ["loss_percent"] = 100 });
            await Poll.UntilAsync(async () => (await SiblingRulesetAsync(siblingPid)).Contains("bev-chaos:" + loss, StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the packet_loss rule in the sibling's network namespace");
            await InjectPauseAsync(http, $"docker:{sibling}");
            await InjectPauseAsync(http, $"pid:{sleeper.Pid}");
            await Poll.UntilAsync(async () => sleeper.State == 'T' && (await Docker(environment, "inspect", "-f", "{{.State.Paused}}", sibling)).Trim() == "true", TimeSpan.FromSeconds(15), "the sleeper and the sibling paused before docker-compose down");
        }
        finally
        {
            (exit, output) = await Compose("down", "-v", "--remove-orphans");
            if (exit == 0 && siblingPid > 0)
            {
                siblingPaused = (await Tool.RunAsync("docker", ["inspect", "-f", "{{.State.Paused}}", sibling], TimeSpan.FromMinutes(1), null, environment)).Output.Trim();
                siblingRules = await SiblingRulesetAsync(siblingPid);
            }

            await Tool.RunAsync("docker", ["rm", "-f", sibling], TimeSpan.FromMinutes(1), null, environment);
        }

        Assert.True(exit == 0, "docker-compose down: " + output);
        Assert.Equal("false", siblingPaused);
        Assert.DoesNotContain("bev-chaos:", siblingRules, StringComparison.Ordinal);
        Assert.Empty((await Docker(environment, "ps", "-aq", "--filter", $"label=com.docker.compose.project={project}")).Trim());
        Assert.Empty((await Docker(environment, "volume", "ls", "-q", "--filter", $"label=com.docker.compose.project={project}")).Trim());
        Assert.NotEqual('T', sleeper.State);
    }

    private static Task<string> InjectPauseAsync(HttpClient http, string target) =>
        InjectAsync(http, "service_pause", target, new Dictionary<string, object>());

    /// <summary>POST /faults through the containerized API; the fault id.</summary>
    private static async Task<string> InjectAsync(HttpClient http, string injector, string target, Dictionary<string, object> parameters)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["injector_name"] = injector,
            ["target_service"] = target,
            ["parameters"] = parameters,
            ["duration_seconds"] = 120,
        });
        using var response = await http.PostAsync("/faults", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var answer = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /faults {injector} on {target}: {(int)response.StatusCode} {answer}");
        return JsonDocument.Parse(answer).RootElement.GetProperty("fault_id").GetString()!;
    }

    /// <summary>The nftables ruleset of the sibling container's network namespace, read from the host.</summary>
    private static async Task<string> SiblingRulesetAsync(int siblingPid)
    {
        var (exit, output) = await Tool.RunAsync("nsenter", [$"--net=/proc/{siblingPid}/ns/net", "--", "nft", "list", "ruleset"], TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, "nft list ruleset in the sibling's namespace: " + output);
        return output;
    }

    /// <summary>A container image of Debian's busybox-static (no registry here), made once.</summary>
    private static async Task<string> BusyboxImageAsync(IReadOnlyDictionary<string, string?> environment, string scratch)
    {
        const string Image = "bev-chaos-test/busybox:latest";
        if ((await Tool.RunAsync("docker", ["image", "inspect", Image], TimeSpan.FromMinutes(1), null, environment)).ExitCode == 0)
        {
            return Image;
        }

        Requires.Program("busybox");
        var rootfs = Path.Combine(scratch, "busybox-rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "bin", "sh"), "busybox");
        File.CreateSymbolicLink(Path.Combine(rootfs, "bin", "sleep"), "busybox");
        var tar = Path.Combine(scratch, "busybox.tar");
        var (exit, output) = await Tool.RunAsync("tar", ["-C", rootfs, "-cf", tar, "."], TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, "tar: " + output);
        await Docker(environment, "import", tar, Image);
        return Image;
    }

    private static async Task<bool> HealthyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("/health", TestContext.Current.CancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<string> Docker(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var (exit, output) = await Tool.RunAsync("docker", args, TimeSpan.FromMinutes(1), null, environment);
        Assert.True(exit == 0, $"docker {string.Join(' ', args)}: {output}");
        return output;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
