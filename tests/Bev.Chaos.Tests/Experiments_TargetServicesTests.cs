using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments;
using Bev.Chaos.Probes;
using Bev.Chaos.Resilience;
using Bev.Chaos.Safety;
using Bev.Chaos.Scenarios;
using Bev.Chaos.Targets;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests;

/// <summary>target_services is the boundary of an experiment and of a resilience test; unknown names are errors.</summary>
public sealed class TargetServicesTests : IAsyncLifetime
{
    private readonly TestProcess _target = TestProcess.Sleeper();
    private readonly TempDirectory _markers = new();
    private EngineFixture _engine = null!;
    private ProbeRunner _probes = null!;
    private ChaosEngineer _engineer = null!;
    private RecordingInjector _recording = null!;

    public ValueTask InitializeAsync()
    {
        var configuration = new ChaosConfiguration
        {
            Safety = new SafetySettings { MaxCpuUsage = 100, MaxMemoryUsage = 100 },
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["web"] = new() { Name = "web", Pid = _target.Pid },
                ["db"] = new() { Name = "db", Pid = _target.Pid },
            },
        };
        _recording = new RecordingInjector(_markers.Path);
        _engine = new EngineFixture(configuration, TimeProvider.System, [_recording]);
        var targets = new TargetResolver(_engine.Configuration);
        _probes = new ProbeRunner(targets, TimeProvider.System);
        _engineer = new ChaosEngineer(_engine.Configuration, _engine.Manager, new SafetyLock(_engine.Store, TimeProvider.System), _probes);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _engineer.DisposeAsync();
        _probes.Dispose();
        await _engine.DisposeAsync();
        _target.Dispose();
        _markers.Dispose();
    }

    private static ExperimentConfig Experiment(IReadOnlyList<string> services, string target) => new()
    {
        Name = "bounded",
        TargetServices = services,
        FaultInjections = [new FaultInjectionSpec { InjectorName = "recording", TargetService = target, Duration = TimeSpan.FromMilliseconds(200) }],
        BaselineDuration = TimeSpan.Zero,
        ValidationDuration = TimeSpan.Zero,
    };

    [Fact]
    public async Task RunExperimentAsync_AFaultsRevertFails_RolledBackIsFalseWithTheReason()
    {
        _recording.FailRevert = true;

        var result = await _engineer.RunExperimentAsync(Experiment(["web"], "web"), TestContext.Current.CancellationToken);

        Assert.False(result.RolledBack);
        Assert.Contains(result.Reasons, r => r.StartsWith("rollback of recording-", StringComparison.Ordinal) && r.EndsWith(" failed: revert failed on purpose", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunExperimentAsync_UnforeseenErrorMidInjection_RollsBackBeforeItPropagates()
    {
        // The second fault's apply fails with an error nobody handles; the first, applied for 30 s,
        // must still come out before the error reaches the caller.
        _recording.FailApplyNumber = (2, new IOException("disk gone on purpose"));
        var experiment = Experiment(["web"], "web") with
        {
            FaultInjections =
            [
                new FaultInjectionSpec { InjectorName = "recording", TargetService = "web", Duration = TimeSpan.FromSeconds(30) },
                new FaultInjectionSpec { InjectorName = "recording", TargetService = "web", Duration = TimeSpan.FromSeconds(30), Offset = TimeSpan.FromMilliseconds(100) },
            ],
        };

        var error = await Assert.ThrowsAsync<IOException>(() => _engineer.RunExperimentAsync(experiment, TestContext.Current.CancellationToken));

        Assert.Equal("disk gone on purpose", error.Message);
        Assert.Empty(_engine.Manager.ActiveFaults);
        Assert.Empty(Directory.GetFiles(_markers.Path));
    }

    [Fact]
    public async Task RunExperimentAsync_FaultOutsideTargetServices_RefusedNamingBoth()
    {
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _engineer.RunExperimentAsync(Experiment(["web"], "db"), TestContext.Current.CancellationToken));

        Assert.Equal(
            ["fault_injections[0].target_service: 'db' is not allowed; allowed: one of the target_services of 'bounded' (web): a fault outside them is outside the experiment's boundary"],
            error.Errors.Select(e => e.ToString()));
        Assert.Empty(_engine.Manager.ActiveFaults);
        Assert.Empty(Directory.GetFiles(_markers.Path));
    }

    [Fact]
    public async Task RunExperimentAsync_PrometheusProbeOnATargetWithoutMetricsUrl_IsAValidationErrorSayingWhatToDeclare()
    {
        var probe = new ProbeDefinition { Name = "retries", Kind = ProbeKind.Prometheus, Target = "web", Metric = "retries_total", MeasureOnly = true };
        var experiment = Experiment(["web"], "web") with { SteadyStateProbes = [probe.ForCatalog(_engine.Configuration.Targets)] };

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _engineer.RunExperimentAsync(experiment, TestContext.Current.CancellationToken));

        Assert.Equal(
            ["steady_state_probes[0].target: 'web' is not allowed; allowed: a catalog target with a metrics_url (declare targets.web.metrics_url, or give the probe a url)"],
            error.Errors.Select(e => e.ToString()));
        Assert.Empty(Directory.GetFiles(_markers.Path));
    }

    [Fact]
    public async Task RunExperimentAsync_AMeasuredMetricThatCannotBeRead_IsReportedButNeverJudged()
    {
        using var nothing = new RefusingPort();
        var measured = new ProbeDefinition { Name = "retries", Kind = ProbeKind.Prometheus, Url = new Uri($"http://127.0.0.1:{nothing.Port}/metrics"), Metric = "retries_total", MeasureOnly = true, Timeout = TimeSpan.FromMilliseconds(200) };
        var running = new ProbeDefinition { Name = "web running", Kind = ProbeKind.Process, Target = "web" };
        var experiment = Experiment(["web"], "web") with
        {
            SteadyStateProbes = [measured, running],
            BaselineDuration = TimeSpan.FromMilliseconds(300),
            ValidationDuration = TimeSpan.FromMilliseconds(300),
            ProbeInterval = TimeSpan.FromMilliseconds(100),
        };

        var result = await _engineer.RunExperimentAsync(experiment, TestContext.Current.CancellationToken);

        Assert.True(result.Verdict == ExperimentVerdict.Passed, string.Join("; ", result.Reasons));
        Assert.Equal(["retries"], result.MeasuredProbes);
        Assert.Contains(result.ProbeResults, r => r.Probe == "retries" && !r.Success);
        Assert.Empty(result.MetricChanges);
        Assert.Equal(1.0, result.Impact.AvailabilityDuringFaults ?? 1.0);
    }

    [Fact]
    public async Task RunExperimentAsync_UnknownTargetService_IsAValidationErrorNamingIt()
    {
        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _engineer.RunExperimentAsync(Experiment(["web", "no-such-service"], "web"), TestContext.Current.CancellationToken));

        Assert.Equal(
            ["target_services[1]: 'no-such-service' is not allowed; allowed: a service 'bounded' can reach: a catalog service name (catalog: db, web), pid:N, name:PROCESS_NAME, docker:CONTAINER or agent:HOST/SERVICE"],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task RunExperimentAsync_BuiltInCSharpWithEveryFieldWrong_EveryErrorAtOnce_NothingRuns()
    {
        // What a scenario file's reader refuses as it parses is refused for an experiment built in C# too.
        var experiment = Experiment(["web"], "web") with
        {
            AbortConditions = new SafetySettings { MaxErrorRate = 150, SafetyMonitoringInterval = TimeSpan.FromMilliseconds(1) },
            Timeout = TimeSpan.Zero,
            MaxTargets = 0,
            MinimumInjectionDuration = TimeSpan.FromSeconds(-1),
            SteadyStateProbes = [new ProbeDefinition { Name = " ", Kind = ProbeKind.Http, Url = new Uri("http://127.0.0.1:9/health"), Timeout = TimeSpan.FromMinutes(5) }],
            Rollbacks = [new RollbackAction { Name = "undo", Command = ["/bin/true"], Timeout = TimeSpan.Zero }],
        };

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => _engineer.RunExperimentAsync(experiment, TestContext.Current.CancellationToken));

        Assert.Equal(
            ["abort_conditions.max_error_rate", "abort_conditions.safety_monitoring_interval", "max_targets", "minimum_injection_duration", "rollbacks[0].timeout", "steady_state_probes[0].name", "steady_state_probes[0].timeout", "timeout"],
            error.Errors.Select(e => e.Field).Where(f => !f.StartsWith("fault_injections", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Contains(error.Errors, e => e.Field == "steady_state_probes[0].timeout" && e.Allowed.Contains("a duration from 10ms to 1m", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_markers.Path, "*.marker"));
    }

    [Fact]
    public async Task RunExperimentAsync_InsideTheBoundaryOrAdHoc_Runs()
    {
        var inside = await _engineer.RunExperimentAsync(Experiment(["web"], "web"), TestContext.Current.CancellationToken);
        var adHoc = await _engineer.RunExperimentAsync(Experiment([$"pid:{_target.Pid}"], $"pid:{_target.Pid}"), TestContext.Current.CancellationToken);
        var unbounded = await _engineer.RunExperimentAsync(Experiment([], "db"), TestContext.Current.CancellationToken);

        Assert.All([inside, adHoc, unbounded], r => Assert.True(r.Verdict == ExperimentVerdict.Passed, string.Join("; ", r.Reasons)));
        Assert.All([inside, adHoc, unbounded], r => Assert.Single(r.Faults));
    }

    [Fact]
    public async Task RunResilienceTestAsync_UnknownTargetService_IsAValidationError()
    {
        var tester = new ResilienceTester(_engineer, new TargetResolver(_engine.Configuration), new ScenarioLibrary());
        using var closed = new RefusingPort();

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => tester.RunResilienceTestAsync(new ResilienceTestConfig
        {
            Name = "resilient",
            TargetServices = ["nowhere"],
            FailureExperiments = [Experiment([], "web")],
            LoadUrl = new Uri($"http://127.0.0.1:{closed.Port}/health"),
        }, TestContext.Current.CancellationToken));

        Assert.Equal(
            ["target_services[0]: 'nowhere' is not allowed; allowed: a service 'resilient' can reach: a catalog service name (catalog: db, web), pid:N, name:PROCESS_NAME, docker:CONTAINER or agent:HOST/SERVICE"],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task RunResilienceTestAsync_FaultOutsideTargetServices_RefusedNamingBoth()
    {
        var tester = new ResilienceTester(_engineer, new TargetResolver(_engine.Configuration), new ScenarioLibrary());
        using var closed = new RefusingPort();

        var report = await tester.RunResilienceTestAsync(new ResilienceTestConfig
        {
            Name = "resilient",
            TargetServices = ["web"],
            FailureExperiments = [Experiment([], "db") with { Name = "hits-db" }],
            LoadUrl = new Uri($"http://127.0.0.1:{closed.Port}/health"),
        }, TestContext.Current.CancellationToken);

        Assert.Equal(ResilienceVerdict.Error, report.Verdict);
        Assert.Contains("failure scenario 'hits-db': target_service 'db' is not allowed; allowed: one of the target_services of 'resilient' (web): a fault outside them is outside the experiment's boundary", report.Reasons);
        Assert.Empty(Directory.GetFiles(_markers.Path));
    }
}
