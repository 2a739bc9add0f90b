using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Reporting;
using Bev.Chaos.Resilience;
using Bev.Chaos.Scenarios;
using Bev.Chaos.Server;
using Bev.Chaos.Targets.Linux;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary>
/// <c>bev-chaos demo</c>: starts the sample service as a managed target and runs every local fault
/// against it in turn — live progress, the measured effect, its removal — then a summary.
/// </summary>
internal static class DemoCommand
{
    private const string Service = "demo-service";

    public static Command Create()
    {
        var exit = new Option<bool>("--exit") { Description = "Stop after the run instead of serving until Ctrl-C." };
        var quick = new Option<bool>("--quick") { Description = "Short phases (3 s per fault)." };
        var command = new Command("demo", """
            Start the demo service and run real faults against it with live progress, then keep serving until Ctrl-C.
            Example: bev-chaos demo --quick --exit
            """)
        {
            exit, quick,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            var port = FreeLoopbackPort();
            var targets = new Dictionary<string, TargetDefinition>
            {
                [Service] = Sample(Service, port, new Dictionary<string, ProxyRoute>()),
            };
            var pipelineFree = PipelinePorts.All(PortFree);
            InProcessQueue? standIn = null;
            if (pipelineFree)
            {
                // The OSINT pipeline the built-in scenarios are written for, from config/demo.yaml:
                // items flow collector → analyzer → processor through a Redis queue; the analyzer and
                // the processor reach it through the fault proxy, so network faults hit their real traffic.
                var dataDirectory = parse.GetValue(CliOptions.DataDir) ?? Bev.Chaos.Persistence.ChaosStore.DefaultDataDirectory();
                Directory.CreateDirectory(dataDirectory);
                foreach (var (name, target) in PipelineCatalog())
                {
                    targets[name] = target with
                    {
                        Command = target.Command is [SampleService, ..] ? [.. SelfLocator.SiblingCommand(SampleService), .. target.Command.Skip(1)] : target.Command,
                        WorkingDirectory = dataDirectory,
                    };
                }

                if (!CommandOnPath("redis-server"))
                {
                    targets.Remove("queue");
                    standIn = new InProcessQueue(QueuePort);
                    AnsiConsole.MarkupLine($"[yellow]redis-server is not installed[/]: the pipeline's queue is an in-process stand-in (PING, LPUSH, RPOP, LLEN) on 127.0.0.1:{QueuePort}; install redis-server for the real one");
                }
            }

            await using var queue = standIn;
            var configuration = new ChaosConfiguration
            {
                Safety = new SafetySettings { MaxCpuUsage = 99, SafetyMonitoringInterval = TimeSpan.FromSeconds(1) },
                Targets = targets,
            };
            await using var session = await EngineSession.OpenAsync(parse, CancellationToken.None, configuration).ConfigureAwait(false);

            // The dashboard follows the demo live; on 8080 when it is free, else on any free port.
            var dashboardUrl = PortFree(8080) ? ChaosServer.DefaultUrl : $"http://127.0.0.1:{FreeLoopbackPort()}";
            await using var dashboard = await ChaosServer.StartAsync(session.Engine, new ScenarioLibrary(), dashboardUrl, cancellationToken: token).ConfigureAwait(false);
            AnsiConsole.MarkupLine($"dashboard: [link]{Markup.Escape(dashboard.Url.ToString())}[/]{(dashboardUrl == ChaosServer.DefaultUrl ? string.Empty : " (8080 is in use)")}");
            var step = parse.GetValue(quick) ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10);
            session.Supervisor.Start(configuration.Targets[Service]);
            await WaitHealthyAsync(port, token).ConfigureAwait(false);
            AnsiConsole.MarkupLine($"[bold]BEV Chaos demo[/]: {Service} runs at [link]http://127.0.0.1:{port}/[/] (pid {session.Supervisor.TryGetCurrent(Service)?.Pid}), data in {Markup.Escape(session.Store.DataDirectory)}");

            var results = new List<DemoResult>();
            foreach (var plan in Plans(port, session.Store.DataDirectory))
            {
                if (token.IsCancellationRequested)
                {
                    break;
                }

                results.Add(await RunOneAsync(session, plan, step, port, token).ConfigureAwait(false));
            }

            Summarize(results);
            var suiteOk = true;
            if (!token.IsCancellationRequested)
            {
                suiteOk = await RunSuiteAsync(session, pipelineFree, parse.GetValue(quick), token).ConfigureAwait(false);
            }

            if (!parse.GetValue(exit) && !token.IsCancellationRequested)
            {
                AnsiConsole.MarkupLine($"serving {Service} at http://127.0.0.1:{port}/ and the dashboard at {Markup.Escape(dashboard.Url.ToString())} — Ctrl-C to stop");
                await CommandRunner.WaitForStopAsync(token).ConfigureAwait(false);
            }

            return results.All(r => r.Outcome != "failed") && suiteOk ? ExitCodes.Success : ExitCodes.Failure;
        }, ct));
        return command;
    }

    private const int QueuePort = 16390;

    private const string SampleService = "Bev.Chaos.SampleService";

    /// <summary>The pipeline's catalog: config/demo.yaml, built into the CLI.</summary>
    internal static IReadOnlyDictionary<string, TargetDefinition> PipelineCatalog()
    {
        using var stream = typeof(DemoCommand).Assembly.GetManifestResourceStream("Bev.Chaos.Cli.demo.yaml")
            ?? throw new InvalidOperationException("config/demo.yaml is missing from the CLI; rebuild with ./bev-chaos");
        using var reader = new StreamReader(stream);
        return ChaosConfigurationLoader.Parse(reader.ReadToEnd(), "config/demo.yaml").Targets;
    }

    private static readonly int[] PipelinePorts = [18080, 18081, 18082, 18083, 18084, 18085, 16379, 16380, QueuePort];

    private static bool CommandOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));

    private static TargetDefinition Sample(string name, int port, IReadOnlyDictionary<string, ProxyRoute> proxies, params string[] role) => new()
    {
        Name = name,
        Command = [.. SelfLocator.SiblingCommand("Bev.Chaos.SampleService"), "--port", port.ToString(CultureInfo.InvariantCulture), "--workers", "32", .. role],
        Restart = RestartPolicy.Always,
        RestartDelay = TimeSpan.FromMilliseconds(200),
        Port = port,
        HealthUrl = new Uri($"http://127.0.0.1:{port}/health"),
        Proxies = proxies,
    };

    // Part two: the basic_resilience suite against the three-service pipeline, each scenario as a
    // resilience test under load, with the three reports.
    private static async Task<bool> RunSuiteAsync(EngineSession session, bool pipelineFree, bool quick, CancellationToken token)
    {
        if (!pipelineFree)
        {
            AnsiConsole.MarkupLine($"[yellow]skip[/] the basic_resilience suite: ports {string.Join(", ", PipelinePorts)} are in use, and the built-in scenarios are written for them");
            return true;
        }

        AnsiConsole.MarkupLine($"[bold]basic_resilience[/] suite against data-collector :18081 → threat-analyzer :18082 → osint-processor :18083, items flowing through the queue on :{QueuePort} ({(session.Configuration.Targets.ContainsKey("queue") ? "redis-server" : "in-process stand-in")})");
        session.Engine.StartCatalog();
        foreach (var port in new[] { 18081, 18082, 18083 })
        {
            await WaitHealthyAsync(port, token).ConfigureAwait(false);
        }

        var library = new ScenarioLibrary();
        using var events = session.Manager.Events.Subscribe();
        var printer = RunCommand.PrintEventsAsync(events, token);
        var tester = new ResilienceTester(session.Engine, library);
        var reports = new List<ResilienceReport>();
        foreach (var scenario in library.GetScenarioSuite("basic_resilience"))
        {
            var experiment = ScenarioCompiler.Compile(scenario, quick ? 0.25 : 1.0);
            // A stage's health is its queue's (its /health pings the queue, through the fault proxy
            // where it is wired through one), so every fault of the suite shows at the faulted stage.
            var url = ResilienceTester.MeasuredUrl(session.Configuration, experiment)!;
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(scenario.Name)}[/]: {Markup.Escape(scenario.Description ?? string.Empty)} — measured at {Markup.Escape(url.ToString())}");
            reports.Add(await tester.RunResilienceTestAsync(new ResilienceTestConfig
            {
                Name = scenario.Name,
                TargetServices = scenario.TargetServices,
                FailureExperiments = [experiment],
                LoadUrl = url,
                Rate = 50,
                BaselineDuration = quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10),
                ValidationDuration = quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10),
                RecoveryWindow = quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(20),

                // Sub-millisecond baselines on a busy 2-core host, and a restarted .NET stage still
                // warming up: a few milliseconds of p95 are not a finding worth failing the demo on.
                MinimumLatencyShiftMs = 5,
                Progress = new InlineProgress<ResilienceProgress>(p => AnsiConsole.MarkupLine($"  [blue]{p.Phase}[/] {Markup.Escape(p.Detail)}")),
            }, token).ConfigureAwait(false));
            if (token.IsCancellationRequested)
            {
                break;
            }
        }

        var directory = Path.Combine(session.Store.DataDirectory, "reports", TimeProvider.System.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var files = ReportFiles.Write(directory, reports);
        ReportCommand.Summarize(reports);
        AnsiConsole.MarkupLine($"reports: [link]{Markup.Escape(files.Html)}[/] · {Markup.Escape(files.Journal)} · {Markup.Escape(files.JUnit)}");
        AnsiConsole.MarkupLine($"pipeline: osint-processor has stored {StoredItems(Path.Combine(session.Store.DataDirectory, "osint.db"))} items in {Markup.Escape(Path.Combine(session.Store.DataDirectory, "osint.db"))}");

        // A scenario that finds a weakness is a finding, not a demo failure; one that could not run is.
        return reports.All(r => r.Verdict != ResilienceVerdict.Error);
    }

    private static long StoredItems(string database)
    {
        if (!File.Exists(database))
        {
            return 0;
        }

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM items";
        return (long)count.ExecuteScalar()!;
    }

    private static bool PortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private sealed record DemoPlan(string Injector, Dictionary<string, object?> Parameters, string What, bool NeedsRoot = false);

    private sealed record DemoResult(string Injector, string Outcome, string Before, string During, string After, double InjectMs);

    private static IEnumerable<DemoPlan> Plans(int port, string dataDir) =>
    [
        new("service_pause", [], "SIGSTOP: the service stops answering"),
        new("cpu_stress", new() { ["load_percent"] = 50, ["workers"] = 1 }, "one core at 50%"),
        new("memory_leak", new() { ["rate_mb_per_s"] = 64, ["max_mb"] = 128 }, "128 MiB resident, 64 MiB/s"),
        new("disk_fill", new() { ["size_mb"] = 256, ["path"] = dataDir, ["reserve_mb"] = 512 }, "256 MiB of real blocks"),
        new("connection_exhaustion", new() { ["connections"] = 64, ["port"] = port }, "64 held connections (the service has 32 workers)"),
        new("cpu_throttle", new() { ["cpu_percent"] = 10 }, "CFS quota 10% of a core", NeedsRoot: true),
        new("memory_limit", new() { ["limit_mb"] = 64 }, "memory.limit_in_bytes 64 MiB", NeedsRoot: true),
        new("service_crash", new() { ["signal"] = "SIGKILL" }, "SIGKILL; the supervisor restarts it"),
    ];

    private static async Task<DemoResult> RunOneAsync(EngineSession session, DemoPlan plan, TimeSpan step, int port, CancellationToken token)
    {
        if (plan.NeedsRoot && !LibC.IsRoot)
        {
            AnsiConsole.MarkupLine($"[yellow]skip[/] {plan.Injector}: needs root for cgroups (run as root to see it)");
            return new DemoResult(plan.Injector, "skipped (not root)", "-", "-", "-", 0);
        }

        var pid = session.Supervisor.TryGetCurrent(Service)!.Value;
        var before = await ObserveAsync(plan.Injector, pid.Pid, port, session.Store.DataDirectory, token).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        string id;
        try
        {
            id = await session.Manager.InjectFaultAsync(plan.Injector, Service, null, plan.Parameters, step, token).ConfigureAwait(false);
        }
        catch (FeatureUnavailableException ex)
        {
            AnsiConsole.MarkupLine($"[yellow]skip[/] {plan.Injector}: {Markup.Escape(ex.Message)}");
            return new DemoResult(plan.Injector, "skipped", before, "-", "-", 0);
        }

        var injectMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        AnsiConsole.MarkupLine($"[green]▶[/] [bold]{plan.Injector}[/] — {Markup.Escape(plan.What)} — injected in {injectMs:F0} ms");
        var during = "-";
        var helperPid = await HelperPidAsync(session, id).ConfigureAwait(false);
        await AnsiConsole.Status().StartAsync(plan.Injector, async status =>
        {
            var deadline = TimeProvider.System.GetUtcNow() + step;
            while (session.Manager.ActiveFaults.Any(f => f.FaultId == id) && !token.IsCancellationRequested)
            {
                var current = session.Supervisor.TryGetCurrent(Service)?.Pid ?? pid.Pid;
                var observed = await ObserveAsync(plan.Injector, current, port, session.Store.DataDirectory, token, helperPid).ConfigureAwait(false);
                if (session.Manager.ActiveFaults.Any(f => f.FaultId == id))
                {
                    // Only what was seen while the fault was still in effect counts as "during".
                    during = observed;
                }

                var left = deadline - TimeProvider.System.GetUtcNow();
                status.Status($"{plan.Injector} · {Math.Max(0, left.TotalSeconds):F0}s left · {Markup.Escape(observed)}");
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }).ConfigureAwait(false);

        if (session.Manager.ActiveFaults.Any(f => f.FaultId == id))
        {
            await session.Manager.RemoveFaultAsync(id, CancellationToken.None).ConfigureAwait(false);
        }

        if (plan.Injector == "service_crash")
        {
            var restarted = await session.Supervisor.WaitForRestartAsync(Service, pid, TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            var state = session.Supervisor.GetState(Service)!;
            during = $"pid {pid.Pid} killed; restarted as pid {restarted.Pid} after {state.LastDowntime?.TotalMilliseconds:F0} ms";
        }

        await WaitHealthyAsync(port, CancellationToken.None).ConfigureAwait(false);
        var after = await ObserveAsync(plan.Injector, session.Supervisor.TryGetCurrent(Service)!.Value.Pid, port, session.Store.DataDirectory, CancellationToken.None).ConfigureAwait(false);
        AnsiConsole.MarkupLine($"  during: {Markup.Escape(during)}");
        AnsiConsole.MarkupLine($"  [green]removed[/]; after: {Markup.Escape(after)}");
        return new DemoResult(plan.Injector, "removed", before, during, after, injectMs);
    }

    private static async Task<string> ObserveAsync(string injector, int pid, int port, string dataDir, CancellationToken token, int helperPid = 0)
    {
        var stat = ProcFs.TryReadStat(pid);
        var health = await ProbeHealthAsync(port, TimeSpan.FromMilliseconds(300), token).ConfigureAwait(false);
        var state = stat is null ? "gone" : stat.Value.State.ToString();
        return injector switch
        {
            "disk_fill" => $"{FileSystems.Space(dataDir).AvailableBytes / 1048576} MiB available; health {health}",
            "connection_exhaustion" => $"{ProcFs.CountEstablishedAt(port)} established to :{port}; health {health}",
            "memory_leak" => $"leak holder resident {(ProcFs.TryReadStat(helperPid)?.RssBytes ?? 0) / 1048576} MiB; health {health}",
            "cpu_stress" => $"burner at {await CpuPercentAsync(helperPid, token).ConfigureAwait(false):F0}% of a core; health {health}",
            "cpu_throttle" => $"cpu cgroup …/{Path.GetFileName(ProcFs.ReadCgroups(pid).GetValueOrDefault("cpu", "/"))}; health {health}",
            "memory_limit" => $"memory cgroup …/{Path.GetFileName(ProcFs.ReadCgroups(pid).GetValueOrDefault("memory", "/"))}; health {health}",
            _ => $"pid {pid} state {state}; health {health}",
        };
    }

    private static async Task<double> CpuPercentAsync(int pid, CancellationToken token)
    {
        var before = ProcFs.TryReadStat(pid)?.CpuTime ?? TimeSpan.Zero;
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System, token).ConfigureAwait(false);
        var after = ProcFs.TryReadStat(pid)?.CpuTime ?? before;
        return (after - before) / Stopwatch.GetElapsedTime(started) * 100;
    }

    private static async Task<int> HelperPidAsync(EngineSession session, string faultId)
    {
        var entry = await session.Journal.GetAsync(faultId, CancellationToken.None).ConfigureAwait(false);
        return entry is not null && System.Text.Json.Nodes.JsonNode.Parse(entry.UndoJson)?["helper"]?.GetValue<string>() is { } helper
            ? ProcessIdentity.Parse(helper).Pid
            : 0;
    }

    private static async Task<string> ProbeHealthAsync(int port, TimeSpan timeout, CancellationToken token)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        cts.CancelAfter(timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cts.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("GET /health HTTP/1.1\r\nHost: demo\r\n\r\n"u8.ToArray(), cts.Token).ConfigureAwait(false);
            var buffer = new byte[256];
            var read = await stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
            return read > 12 && buffer.AsSpan(9, 3).SequenceEqual("200"u8)
                ? $"ok in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms"
                : "bad answer";
        }
        catch (OperationCanceledException)
        {
            return $"no answer in {timeout.TotalMilliseconds:F0} ms";
        }
        catch (SocketException ex)
        {
            return "refused (" + ex.SocketErrorCode + ")";
        }
        catch (IOException)
        {
            return "connection reset";
        }
    }

    private static async Task WaitHealthyAsync(int port, CancellationToken token)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 20;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if ((await ProbeHealthAsync(port, TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false)).StartsWith("ok", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, token).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"{Service} did not become healthy on 127.0.0.1:{port} within 20 s");
    }

    private static void Summarize(IReadOnlyList<DemoResult> results)
    {
        var table = new Table().Title("demo summary").AddColumns("fault", "inject ms", "during the fault", "after removal", "outcome");
        foreach (var r in results)
        {
            table.AddRow(r.Injector, r.InjectMs > 0 ? r.InjectMs.ToString("F0", CultureInfo.InvariantCulture) : "-", Markup.Escape(r.During), Markup.Escape(r.After), r.Outcome);
        }

        AnsiConsole.Write(table);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
