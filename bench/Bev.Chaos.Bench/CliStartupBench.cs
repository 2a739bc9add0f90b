using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Bev.Chaos.Bench;

/// <summary>
/// CLI commands as processes, wall time from exec to exit, the commands taking turns for ten rounds
/// (medians): through the launcher users run (<c>./bev-chaos</c>) and the build it executes, beside
/// an empty .NET program (the floor of any .NET process's start-up on this machine).
/// </summary>
internal static class CliStartupBench
{
    private const int Rounds = 10;

    public static async Task RunAsync()
    {
        // Builds the CLI when its sources changed; the build is not measured.
        await ShippedProcess.TimeAsync(ShippedProcess.Launcher, "--version");
        var work = Directory.CreateTempSubdirectory("bev-chaos-bench-cli-").FullName;
        using var sleeper = Process.Start(new ProcessStartInfo("/bin/sleep", "3600") { UseShellExecute = false })!;
        try
        {
            var empty = Path.Combine(work, "empty");
            var serveData = Path.Combine(work, "serve");
            var port = ShippedProcess.FreePort();
            var server = $"http://127.0.0.1:{port}";
            await using var serve = ShippedProcess.Start(ShippedProcess.Launcher, "serve", "--data-dir", serveData, "--urls", server, "--toxiproxy-url", $"http://127.0.0.1:{ShippedProcess.FreePort()}");
            await serve.WaitForLineAsync("dashboard and chaos API at", TimeSpan.FromSeconds(120));
            var pid = sleeper.Id.ToString(CultureInfo.InvariantCulture);

            // An empty store, not a missing one: made by a command that opens the engine (`faults`
            // itself only reads a store, and without one answers at once).
            await TimedAsync(ShippedProcess.BuiltCli, "faults", "--injectors", "--data-dir", empty);
            var commands = new (string Name, Func<Task<double>> Run)[]
            {
                ("empty .NET program (yardstick)", () => TimedAsync(ShippedProcess.Bare, "hello")),
                ("`./bev-chaos --version`", () => TimedAsync(ShippedProcess.Launcher, "--version")),
                ("`.build/cli/bev-chaos --version` (no launcher)", () => TimedAsync(ShippedProcess.BuiltCli, "--version")),
                ("`./bev-chaos faults` (empty store)", () => TimedAsync(ShippedProcess.Launcher, "faults", "--data-dir", empty)),
                ("`.build/cli/bev-chaos faults` (empty store, no launcher)", () => TimedAsync(ShippedProcess.BuiltCli, "faults", "--data-dir", empty)),
                ("`./bev-chaos faults --output json` (empty store)", () => TimedAsync(ShippedProcess.Launcher, "faults", "--data-dir", empty, "--output", "json")),
                ("`./bev-chaos inject service_pause` held, then Ctrl-C (exec until removed and exited)", () => InjectHoldInterruptAsync(Path.Combine(work, "inject"), pid)),
                ("`./bev-chaos inject --server` + `./bev-chaos remove --server` (two processes)", () => ServerRoundTripAsync(server, pid)),
            };
            var times = commands.ToDictionary(c => c.Name, _ => new List<double>());
            foreach (var (_, run) in commands)
            {
                await run(); // warm the page cache, not the processes: each run is a new process
            }

            for (var round = 0; round < Rounds; round++)
            {
                foreach (var (name, run) in commands)
                {
                    times[name].Add(await run());
                }
            }

            Console.WriteLine("## CLI start-up (processes)");
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wall time from exec to exit of each command as a process (stdout and stderr to pipes, so plain output), the commands taking turns for {Rounds} rounds after one untimed round; median and fastest. `./bev-chaos` is the launcher users run: it checks that nothing needs building, then execs `.build/cli/bev-chaos` (a ReadyToRun publish). The inject round trip holds a `service_pause` on a sleeping process in the foreground, is sent SIGINT once it prints the fault (JSON), and ends when the fault is removed and the process exited; the `--server` round trip hands both commands to a running `bev-chaos serve`. Goal: `faults` on an empty store ≤ 100 ms."));
            Console.WriteLine();
            Console.WriteLine("| command (process) | median ms | fastest ms | goal met |");
            Console.WriteLine("|---|---:|---:|---|");
            foreach (var (name, _) in commands)
            {
                var median = Stats.Percentile(times[name], 50);
                var goal = name.StartsWith("`./bev-chaos faults` (empty", StringComparison.Ordinal) ? (median <= 100 ? "yes" : "**no**") : string.Empty;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {median:F0} | {times[name].Min():F0} | {goal} |"));
            }

            Console.WriteLine();
        }
        finally
        {
            sleeper.Kill();
            await sleeper.WaitForExitAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<double> TimedAsync(string file, params string[] args)
    {
        var (ms, exit, output, errors) = await ShippedProcess.TimeAsync(file, args);
        return exit == 0 ? ms : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {exit}: {output}{errors}");
    }

    private static async Task<double> InjectHoldInterruptAsync(string dataDir, string pid)
    {
        var started = Stopwatch.GetTimestamp();
        await using var inject = ShippedProcess.Start(ShippedProcess.Launcher, "inject", "service_pause", "--data-dir", dataDir, "--target", "pid:" + pid, "--duration", "60s", "--output", "json");
        await inject.WaitForLineAsync("fault_id", TimeSpan.FromSeconds(60));
        await inject.InterruptAsync(TimeSpan.FromSeconds(30));
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return inject.ExitCode == 0 ? ms : throw new InvalidOperationException($"inject exited {inject.ExitCode}");
    }

    private static async Task<double> ServerRoundTripAsync(string server, string pid)
    {
        var (injectMs, exit, output, errors) = await ShippedProcess.TimeAsync(ShippedProcess.Launcher, "inject", "service_pause", "--server", server, "--target", "pid:" + pid, "--duration", "60s", "--output", "json");
        if (exit != 0)
        {
            throw new InvalidOperationException($"inject --server exited {exit}: {output}{errors}");
        }

        var id = JsonDocument.Parse(output).RootElement.GetProperty("fault_id").GetString()!;
        return injectMs + await TimedAsync(ShippedProcess.Launcher, "remove", "--server", server, id);
    }
}
