using System.Diagnostics;
using System.Globalization;
using Bev.Chaos.Configuration;

namespace Bev.Chaos.Bench;

/// <summary>
/// Container faults on a real dockerd (inject and remove times per fault type), and agents: one
/// fault on each of three agents at once, and an emergency stop across them, the agents living in
/// network namespaces made here and deleted afterwards.
/// </summary>
internal static class ContainerAndAgentBench
{
    private const string Image = "bev-chaos-bench/busybox:2";
    private const string Token = "bench-agent-token-0123456789";

    public static async Task RunAsync(string cliPath, int runs)
    {
        Console.WriteLine("## Container faults and agents");
        Console.WriteLine();
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is not { Length: > 0 } || Run("docker", "info").Code != 0)
        {
            Console.WriteLine("skipped: no Docker daemon at DOCKER_HOST (bench/run.sh starts a private one as root).\n");
        }
        else
        {
            await ContainersAsync(runs);
        }

        if (!Bev.Chaos.Targets.Linux.LibC.IsRoot)
        {
            Console.WriteLine("Agents: skipped (needs root for network namespaces).\n");
            return;
        }

        await AgentsAsync(cliPath, runs);
    }

    private static async Task ContainersAsync(int runs)
    {
        EnsureImage();
        var data = Directory.CreateTempSubdirectory("bev-chaos-bench-docker-").FullName;
        var containers = new List<string>();
        try
        {
            string Start(params string[] extra)
            {
                var name = "bev-chaos-bench-" + Guid.NewGuid().ToString("N")[..8];
                var (code, output) = Run("docker", ["run", "-d", "--network", "none", "--name", name, .. extra, Image, "/bin/sleep", "3600"]);
                if (code != 0)
                {
                    throw new InvalidOperationException("docker run: " + output);
                }

                containers.Add(name);
                return name;
            }

            await using var engine = await ChaosEngine.OpenAsync(new ChaosConfiguration(), data);
            var plain = Start();
            var plans = new (string Injector, string Container, Dictionary<string, object?> Parameters, string What)[]
            {
                ("service_pause", plain, [], "docker pause / unpause"),
                ("service_stop", plain, new() { ["grace_seconds"] = 0 }, "docker stop / start"),
                ("service_restart", plain, new() { ["grace_seconds"] = 0 }, "docker restart / –"),
                ("service_crash", plain, [], "SIGKILL to the init process / – (the bench starts it again, untimed)"),
                ("cpu_stress", plain, new() { ["load_percent"] = 10 }, "helper in the container's cgroups / helper ends"),
                ("disk_fill", plain, new() { ["size_mb"] = 16, ["reserve_mb"] = 64 }, "16 MiB of real blocks in the container's /tmp / file deleted"),
                ("network_partition", plain, new() { ["mechanism"] = "kernel" }, "nftables in the container's netns / rules deleted"),
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Docker {Run("docker", "version", "--format", "{{.Server.Version}}").Output} (private daemon, `--bridge=none`), busybox containers with `--network none`; {runs} inject/remove cycles per fault, each through `FaultInjectionManager` (validation, Docker API lookup, journal with fsync, the effect, journal)."));
            Console.WriteLine();
            Console.WriteLine("| fault on a container | mechanism (inject / remove) | inject p50 ms | inject p99 ms | remove p50 ms | remove p99 ms |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|");
            foreach (var (injector, container, parameters, what) in plans)
            {
                var inject = new List<double>();
                var remove = new List<double>();
                for (var i = 0; i < runs; i++)
                {
                    await WaitRunningAsync(container);
                    var pid = Run("docker", "inspect", "-f", "{{.State.Pid}}", container).Output;
                    var started = Stopwatch.GetTimestamp();
                    var id = await engine.Faults.InjectFaultAsync(injector, $"docker:{container}", null, parameters, TimeSpan.FromMinutes(5));
                    inject.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    started = Stopwatch.GetTimestamp();
                    await engine.Faults.RemoveFaultAsync(id);
                    remove.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (injector == "service_crash")
                    {
                        await WaitRestartedAsync(container, pid);
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {injector} | {what} | {Stats.Percentile(inject, 50):F1} | {Stats.Percentile(inject, 99):F1} | {Stats.Percentile(remove, 50):F1} | {Stats.Percentile(remove, 99):F1} |"));
            }

            Console.WriteLine();
        }
        finally
        {
            foreach (var name in containers)
            {
                Run("docker", "rm", "-f", name);
            }

            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task AgentsAsync(string cliPath, int runs)
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        var agents = new List<Process>();
        var sleepers = new List<Process>();
        var data = Directory.CreateTempSubdirectory("bev-chaos-bench-agents-").FullName;
        try
        {
            var definitions = new Dictionary<string, AgentDefinition>();
            for (var i = 1; i <= 3; i++)
            {
                var ns = $"bevb-{id}-h{i}";
                var url = new Uri($"http://198.18.91.{(4 * i) + 2}:18181/");
                Ip("netns", "add", ns);
                Ip("link", "add", $"bvb{id}{i}", "type", "veth", "peer", "name", "eth0", "netns", ns);
                Ip("addr", "add", $"198.18.91.{(4 * i) + 1}/30", "dev", $"bvb{id}{i}");
                Ip("link", "set", $"bvb{id}{i}", "up");
                Ip("-n", ns, "addr", "add", $"198.18.91.{(4 * i) + 2}/30", "dev", "eth0");
                Ip("-n", ns, "link", "set", "eth0", "up");
                Ip("-n", ns, "link", "set", "lo", "up");
                var info = new ProcessStartInfo("ip", ["netns", "exec", ns, cliPath, "--data-dir", Path.Combine(data, $"h{i}"), "agent", "--name", $"h{i}", "--listen", url.ToString().TrimEnd('/'), "--token", Token])
                { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
                var agent = Process.Start(info)!;
                agent.BeginOutputReadLine();
                agent.BeginErrorReadLine();
                agents.Add(agent);
                sleepers.Add(Process.Start(new ProcessStartInfo("/bin/sleep", "3600") { UseShellExecute = false })!);
                definitions[$"h{i}"] = new AgentDefinition($"h{i}", url, Token, TimeSpan.FromSeconds(10));
                await WaitAnsweringAsync(url);
            }

            await using var controller = await ChaosEngine.OpenAsync(new ChaosConfiguration { Agents = definitions }, Path.Combine(data, "controller"));
            var fanOut = new List<double>();
            var stop = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var started = Stopwatch.GetTimestamp();
                await Task.WhenAll(Enumerable.Range(1, 3).Select(i => controller.Faults.InjectFaultAsync("service_pause", $"agent:h{i}/pid:{sleepers[i - 1].Id}", null, null, TimeSpan.FromMinutes(5))));
                fanOut.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                started = Stopwatch.GetTimestamp();
                var removed = await controller.Faults.EmergencyStopAsync();
                stop.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await controller.Engineer.ReleaseSafetyLockAsync();
                if (removed != 3 || sleepers.Any(s => Bev.Chaos.Targets.Linux.ProcFs.TryReadStat(s.Id)?.State == 'T'))
                {
                    throw new InvalidOperationException($"emergency stop across agents removed {removed} of 3");
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Agents: three `bev-chaos agent` processes, each in a network namespace joined by a veth pair, the controller in this process; {runs} runs. Fan-out = one `service_pause` on each agent at once, until all three are applied and journaled on their hosts; emergency stop = the controller's, until every agent has removed its fault."));
            Console.WriteLine();
            Console.WriteLine("| across 3 agents | p50 ms | p99 ms |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| inject one fault on each (fan-out) | {Stats.Percentile(fanOut, 50):F1} | {Stats.Percentile(fanOut, 99):F1} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| emergency stop across them | {Stats.Percentile(stop, 50):F1} | {Stats.Percentile(stop, 99):F1} |"));
            Console.WriteLine();
        }
        finally
        {
            foreach (var process in agents.Concat(sleepers))
            {
                process.Kill();
                process.WaitForExit(5000);
            }

            for (var i = 1; i <= 3; i++)
            {
                Run("ip", "netns", "delete", $"bevb-{id}-h{i}");
            }

            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task WaitAnsweringAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                if ((await http.GetAsync(new Uri(url, "health"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"agent at {url} did not answer");
    }

    // A crashed container is started again by the bench (a restart policy would back off ever longer).
    private static async Task WaitRestartedAsync(string container, string previousPid)
    {
        for (var attempt = 0; attempt < 200 && Run("docker", "inspect", "-f", "{{.State.Running}}", container).Output == "true"; attempt++)
        {
            await Task.Delay(20);
        }

        Run("docker", "start", container);
        for (var attempt = 0; attempt < 200 && Run("docker", "inspect", "-f", "{{.State.Pid}}", container).Output is var pid && (pid == previousPid || pid == "0"); attempt++)
        {
            await Task.Delay(20);
        }
    }

    private static async Task WaitRunningAsync(string container)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (Run("docker", "inspect", "-f", "{{.State.Running}} {{.State.Paused}}", container).Output == "true false")
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"{container} did not run again");
    }

    private static void EnsureImage()
    {
        if (Run("docker", "image", "inspect", Image).Code == 0)
        {
            return;
        }

        var root = Directory.CreateTempSubdirectory("bev-chaos-bench-rootfs-").FullName;
        try
        {
            var bin = Directory.CreateDirectory(Path.Combine(root, "rootfs", "bin")).FullName;
            File.SetUnixFileMode(Directory.CreateDirectory(Path.Combine(root, "rootfs", "tmp")).FullName, (UnixFileMode)0b1_111_111_111);
            File.Copy("/bin/busybox", Path.Combine(bin, "busybox"));
            foreach (var applet in new[] { "sh", "sleep" })
            {
                File.CreateSymbolicLink(Path.Combine(bin, applet), "busybox");
            }

            var tar = Path.Combine(root, "rootfs.tar");
            if (Run("tar", "-C", Path.Combine(root, "rootfs"), "-cf", tar, ".").Code != 0 || Run("docker", "import", tar, Image) is { Code: not 0 } failed)
            {
                throw new InvalidOperationException("could not build the bench image");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Ip(params string[] args)
    {
        var (code, output) = Run("ip", args);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {output}");
        }
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}
