using Bev.Chaos.Scenarios;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

/// <summary>
/// Built-in scenarios against the demo's catalog (config/demo.yaml) and against a user's own
/// process through --bind, without a configuration file.
/// </summary>
// The demo catalog listens on the pipeline's fixed ports, as the demo does: never beside it.
[Collection(MeasuredCollection.Name)]
public sealed class RunBindingTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static string DemoCatalog()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bev.Chaos.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("no repository root above " + AppContext.BaseDirectory), "config", "demo.yaml");
    }

    [Fact]
    public void EveryBuiltInScenario_NamesOnlyServicesOfTheDemoCatalog_WithHealthUrls()
    {
        var catalog = Bev.Chaos.Configuration.ChaosConfigurationLoader.LoadFile(DemoCatalog()).Targets;
        var library = new ScenarioLibrary();

        var experiments = library.Scenarios.Select(s => ScenarioCompiler.Compile(s)).ToList();

        ScenarioBinding.Check(experiments, new Dictionary<string, string>(), catalog);
        Assert.All(experiments.SelectMany(e => e.SteadyStateProbes), p => Assert.NotNull(p.ForCatalog(catalog).Url));
        // web-server is the original documentation's example target (example 5), named by no built-in scenario.
        Assert.Equal(catalog.Keys.Order().ToList(), ["data-collector", "osint-processor", "queue", "threat-analyzer", "web-server"]);
    }

    [Fact]
    public async Task EveryBuiltInScenario_DryRunsWithTheDemoCatalog()
    {
        // The four suites together hold every built-in scenario: one CLI process each.
        var library = new ScenarioLibrary();
        Assert.Equal(library.Scenarios.Select(s => s.Name).Order(), library.Suites.Values.SelectMany(n => n).Distinct().Order());
        foreach (var suite in library.Suites.Keys.Order())
        {
            var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(90), "run", suite, "--config", DemoCatalog(), "--dry-run");

            Assert.True(result.ExitCode == 0, $"{suite}: exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
            Assert.All(library.Suites[suite], name => Assert.Contains($"{name} (dry run: nothing is touched)", result.Stdout));
        }
    }

    [Fact]
    public async Task OriginalScenarioExample_DryRunsAgainstACatalogWithItsServices_InTheOriginalVocabulary()
    {
        using var collector = TestProcess.Sleeper();
        using var analyzer = TestProcess.Sleeper();
        var config = Path.Combine(_data.Path, "osint.yaml");
        File.WriteAllText(config, $$"""
            targets:
              osint-collector:
                pid: {{collector.Pid}}
                proxy:
                  api: { listen: "127.0.0.1:{{LoopbackPort.Free()}}", upstream: "127.0.0.1:{{LoopbackPort.Free()}}" }
              threat-analyzer:
                pid: {{analyzer.Pid}}
            """);
        var example = Path.Combine(Path.GetDirectoryName(DemoCatalog())!, "scenarios.yaml");

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", example, "--config", config, "--dry-run", "--output", "json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        var plan = System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement[0];
        var fault = plan.GetProperty("faults")[0];
        Assert.Equal("custom_osint_test", plan.GetProperty("name").GetString());
        Assert.Equal(("network_delay", "osint-collector", 30.0), (fault.GetProperty("injector_name").GetString(), fault.GetProperty("target_service").GetString(), fault.GetProperty("duration_seconds").GetDouble()));
        Assert.Equal("200", fault.GetProperty("parameters").GetProperty("delay_ms").GetString());
    }

    [Fact]
    public async Task DryRun_WithoutACatalog_SaysHowToBind()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", "network_latency_light", "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("target_service: 'threat-analyzer' is not allowed; allowed: a service of the catalog (the catalog is empty): bind it for this run with --bind threat-analyzer=pid:N", result.Stderr);
        Assert.Contains("--config config/demo.yaml", result.Stderr);
    }

    [Theory]
    [InlineData("pid")]
    [InlineData("name")]
    [InlineData("catalog")]
    public async Task DryRun_BindInEachForm_ResolvesTheServiceToTheProcess(string form)
    {
        var name = "bvf" + Guid.NewGuid().ToString("N")[..8];
        var program = Path.Combine(_data.Path, name);
        File.Copy("/bin/sleep", program);
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var worker = TestProcess.Start(program, "600");
        var config = Path.Combine(_data.Path, "worker.yaml");
        File.WriteAllText(config, $"targets:\n  my-worker:\n    pid: {worker.Pid}\n");
        var (target, configArgs) = form switch
        {
            "pid" => ($"pid:{worker.Pid}", Array.Empty<string>()),
            "name" => ($"name:{name}", []),
            _ => ("my-worker", ["--config", config]),
        };

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), ["run", "service_crash", "--bind", $"data-collector={target}", "--dry-run", .. configArgs]);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains($"target {target} → pid {worker.Pid}", result.Stdout);
        Assert.Contains($"collector healthy (process {target})", result.Stdout);
        Assert.Equal('S', worker.State);
    }

    [Theory]
    [InlineData(new[] { "--bind", "data-collector" }, "--bind: 'data-collector' is not allowed; allowed: SERVICE=TARGET, e.g. data-collector=pid:4242")]
    [InlineData(new[] { "--bind", "data-collector=pid:1", "--bind", "data-collector=pid:2" }, "(data-collector is bound twice)")]
    [InlineData(new[] { "--bind", "data-collector=pid:1", "--bind", "nobody=pid:2" }, "--bind: 'nobody=pid:2' is not allowed; allowed: a service the scenario names: data-collector")]
    [InlineData(new[] { "--bind", "data-collector=pid:0" }, "pid:N with N a positive process id")]
    public async Task DryRun_BadBinding_IsExit2NamingIt(string[] bind, string expected)
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), ["run", "service_crash", "--dry-run", .. bind]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }

    [Fact]
    public async Task Run_BindToATestsOwnProcess_CrashesItForReal()
    {
        // A sleeper under a name of its own, restarted by a shell loop as a supervisor would.
        var name = "bvb" + Guid.NewGuid().ToString("N")[..8];
        var program = Path.Combine(_data.Path, name);
        File.Copy("/bin/sleep", program);
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var supervisor = TestProcess.Start("/bin/sh", "-c", $"while :; do {program} 600; done");
        var first = await Poll.UntilAsync(() => ProcFs.FindByName(name).FirstOrDefault(), pid => pid > 0, TimeSpan.FromSeconds(10), "the sleeper runs");

        // No catalog: only the safety block, so a host busy with other work is no breach here.
        var config = Path.Combine(_data.Path, "safety.yaml");
        File.WriteAllText(config, "safety:\n  max_cpu_usage: 100\n  max_memory_usage: 100\n");

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(120), "run", "service_crash", "--bind", $"data-collector=name:{name}", "--config", config);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        Assert.Null(ProcFs.TryReadStat(first));
        Assert.NotEqual(first, Assert.Single(ProcFs.FindByName(name)));
        Assert.Contains($"service_crash on name:{name}", result.Stdout);
    }
}
