using System.Globalization;
using System.Text.Json;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

public sealed class RunCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TestProcess _target = TestProcess.Sleeper();

    public void Dispose()
    {
        _target.Dispose();
        _data.Dispose();
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_data.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Config() => Write("chaos.yaml", $"""
        safety:
          max_cpu_usage: 100
          max_memory_usage: 100
        targets:
          worker:
            pid: {_target.Pid}
        """);

    private string Scenario(string probeUrl) => Write("scenarios.yaml", $$"""
        scenarios:
          - name: burn_worker
            description: a short CPU burn
            category: compute
            complexity: simple
            target_services: [worker]
            baseline_duration: 500ms
            validation_duration: 500ms
            recovery_window: 2s
            steady_state:
              - { name: health, type: http, url: "{{probeUrl}}", timeout: 300ms }
            steps:
              - { name: burn, action_type: inject_fault, parameters: { injector: cpu_stress, load_percent: 10, duration: 1s } }
        """);

    [Fact]
    public async Task DryRun_PrintsThePlanAndTouchesNothing()
    {
        using var server = new LoopbackHttpServer();
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", Scenario(server.Url), "--config", Config(), "--dry-run");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("burn_worker (dry run: nothing is touched)", result.Stdout);
        Assert.Contains($"target worker → pid {_target.Pid}", result.Stdout);
        Assert.Contains("cpu_stress", result.Stdout);
        Assert.Contains("safety checks every 5s", result.Stdout);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task DryRun_SaysTheIntervalAndThresholdsTheRunWillUse()
    {
        using var server = new LoopbackHttpServer();
        var config = Write("chaos-2s.yaml", $"""
            global:
              safety_check_interval: 2
            safety:
              safety_monitoring_interval: 5
              max_cpu_usage: 100
              max_memory_usage: 100
            targets:
              worker:
                pid: {_target.Pid}
            """);
        var scenario = File.ReadAllText(Scenario(server.Url)).Replace("    recovery_window: 2s\n", "    recovery_window: 2s\n    abort_conditions: { max_error_rate: 20, safety_monitoring_interval: 3s }\n", StringComparison.Ordinal);
        var withAbort = Write("abort.yaml", scenario.Replace("burn_worker", "burn_worker_guarded", StringComparison.Ordinal));

        var plain = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", Scenario(server.Url), "--config", config, "--dry-run");
        var guarded = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", withAbort, "--config", config, "--dry-run");

        // The shorter of the two configured intervals; a scenario's abort conditions replace both, and the thresholds.
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.Contains("safety checks every 2s: cpu ≤ 100%", plain.Stdout);
        Assert.True(guarded.ExitCode == 0, guarded.Stderr);
        Assert.Contains("safety checks every 3s:", guarded.Stdout);
        Assert.Contains("error rate ≤ 20%", guarded.Stdout);
        Assert.Contains("(the experiment's abort_conditions)", guarded.Stdout);
    }

    [Fact]
    public async Task Run_HypothesisHolds_ExitsZeroAndWritesTheReport()
    {
        using var server = new LoopbackHttpServer();
        var reports = Path.Combine(_data.Path, "reports");

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", Scenario(server.Url), "--config", Config(), "--report", reports);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(reports, "experiment-burn_worker.json"), TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal("passed", report.GetProperty("verdict").GetString());
        Assert.Equal(4, report.GetProperty("phases").GetArrayLength());

        // The fault in the one vocabulary, in the result and in the report's journal.
        var fault = report.GetProperty("faults")[0];
        Assert.Equal(("cpu_stress", "worker"), (fault.GetProperty("injector_name").GetString(), fault.GetProperty("target_service").GetString()));
        var journalText = await File.ReadAllTextAsync(Path.Combine(reports, "resilience.json"), TestContext.Current.CancellationToken);
        Assert.Contains("\"injector_name\": \"cpu_stress\"", journalText, StringComparison.Ordinal);
        Assert.Contains("\"target_service\": \"worker\"", journalText, StringComparison.Ordinal);
        Assert.True(server.Requests > 3);

        // No load URL (the worker has no health_url): the probes are the measure, in the same three reports.
        var journal = Assert.Single(Bev.Chaos.Reporting.ReportJson.Read(Path.Combine(reports, "resilience.json")));
        Assert.Equal(Bev.Chaos.Resilience.ResilienceVerdict.Passed, journal.Verdict);
        Assert.Contains("burn_worker", await File.ReadAllTextAsync(Path.Combine(reports, "report.html"), TestContext.Current.CancellationToken));
        Assert.Equal("0", System.Xml.Linq.XDocument.Load(Path.Combine(reports, "junit.xml")).Root!.Attribute("failures")!.Value);
    }

    [Fact]
    public async Task Run_WithReport_TimeToRecoverIsOneFigureInEveryOutput()
    {
        using var server = new LoopbackHttpServer();
        var reports = Path.Combine(_data.Path, "reports-ttr");

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", Scenario(server.Url), "--config", Config(), "--report", reports);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var experiment = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(reports, "experiment-burn_worker.json"), TestContext.Current.CancellationToken)).RootElement;
        var recovered = TimeSpan.Parse(experiment.GetProperty("time_to_recover").GetString()!, CultureInfo.InvariantCulture).TotalMilliseconds;
        var journal = Assert.Single(Bev.Chaos.Reporting.ReportJson.Read(Path.Combine(reports, "resilience.json")));
        var html = await File.ReadAllTextAsync(Path.Combine(reports, "report.html"), TestContext.Current.CancellationToken);

        // The experiment's result, the resilience journal, the HTML report and the CLI summary say the same.
        var shown = Math.Round(recovered, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture) + " ms";
        Assert.Equal(recovered, journal.TimeToRecoverMs);
        Assert.Contains($"<td>{shown}</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains(Bev.Chaos.Reporting.HtmlReport.TimeToRecoverDefinition.Split(':')[0], html, StringComparison.Ordinal);
        var summaryRow = Assert.Single(result.Stdout.Split('\n'), l => l.Contains("burn_worker", StringComparison.Ordinal) && l.Contains("passed", StringComparison.Ordinal));
        Assert.Contains(shown, summaryRow, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithAnAutoRecoverySystem_ItsResponseTimeIsInEveryOutput()
    {
        using var server = new LoopbackHttpServer();
        using var recovery = new LoopbackHttpServer();
        var config = Write("auto-recovery.yaml", File.ReadAllText(Config()) + $"\nintegration:\n  auto_recovery_url: \"{recovery.Url}\"\n");
        var reports = Path.Combine(_data.Path, "reports-auto");

        var plain = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", Scenario(server.Url), "--config", config);
        var reported = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", Scenario(server.Url), "--config", config, "--report", reports);

        Assert.True(plain.ExitCode == 0 && reported.ExitCode == 0, plain.Stdout + plain.Stderr + reported.Stdout + reported.Stderr);
        var experiment = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(reports, "experiment-burn_worker.json"), TestContext.Current.CancellationToken)).RootElement;
        var ms = TimeSpan.Parse(experiment.GetProperty("auto_recovery_response_time").GetString()!, CultureInfo.InvariantCulture).TotalMilliseconds;
        var shown = Math.Round(ms, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture) + " ms";
        Assert.Equal(ms, Assert.Single(Bev.Chaos.Reporting.ReportJson.Read(Path.Combine(reports, "resilience.json"))).AutoRecoveryResponseMs);
        Assert.Contains($"auto-recovery system healthy {shown} after the last removal", await File.ReadAllTextAsync(Path.Combine(reports, "report.html"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains($"burn_worker: auto-recovery system healthy {shown} after the last removal", reported.Stdout, StringComparison.Ordinal);
        Assert.Contains("burn_worker: auto-recovery system healthy ", plain.Stdout, StringComparison.Ordinal);
        Assert.True(recovery.Requests >= 2, "the auto-recovery system was asked in both runs");
    }

    [Fact]
    public async Task Run_SteadyStateFails_ExitsOne()
    {
        using var refusing = new RefusingPort();
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", Scenario($"http://127.0.0.1:{refusing.Port}/health"), "--config", Config(), "--output", "json");

        Assert.Equal(1, result.ExitCode);
        var verdict = JsonDocument.Parse(result.Stdout).RootElement[0];
        Assert.Equal("failed", verdict.GetProperty("verdict").GetString());
        Assert.StartsWith("the steady state did not hold before injection", verdict.GetProperty("reasons")[0].GetString());
        Assert.Equal(0, verdict.GetProperty("faults").GetArrayLength());
    }

    [Fact]
    public async Task Run_SafetyLockEngaged_AbortsWithExitTwo()
    {
        using var server = new LoopbackHttpServer();
        Assert.Equal(0, (await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "emergency-stop")).ExitCode);

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(60), "run", Scenario(server.Url), "--config", Config());

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("aborted", result.Stdout);
        Assert.Equal(0, (await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "emergency-stop", "--release")).ExitCode);
    }

    [Fact]
    public async Task Run_DevZeroDryRun_RefusedAsNotARegularFile_WithoutReadingIt()
    {
        // The original probe: this grew to 8.4 GB and died with an unhandled exception.
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "run", "/dev/zero", "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'/dev/zero' is not allowed; allowed: a regular file (this is a character device)", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Run_UnknownScenario_ExitsTwo()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "run", "no_such_scenario");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("SCENARIO: 'no_such_scenario' is not allowed; allowed: a scenario (", result.Stderr);
    }

    [Fact]
    public async Task Run_ScenarioWithUnknownInjectorAndTarget_ListsBothWithFileAndLine()
    {
        var scenarios = Write("bad.yaml", """
            scenarios:
              - name: bad
                target_services: [worker]
                steps:
                  - { name: melt, action_type: inject_fault, parameters: { injector: cpu_melt } }
                  - { name: ghost, action_type: inject_fault, parameters: { injector: cpu_stress, target: ghost } }
            """);

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "run", scenarios, "--config", Config(), "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{scenarios}:5: bad.steps.melt.injector_name: 'cpu_melt' is not allowed; allowed: one of ", result.Stderr);
        Assert.Contains($"{scenarios}:6: bad.steps.ghost.target_service: 'ghost' is not allowed; allowed: a catalog service name (catalog: worker), pid:N, name:PROCESS_NAME or docker:CONTAINER", result.Stderr);
    }
}
