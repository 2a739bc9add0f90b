using System.Net;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Configuration;
using Bev.Chaos.Scenarios;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Bev.Chaos.Server.Tests;

/// <summary>The chaos API over real HTTP on loopback, against a real engine and real processes.</summary>
public sealed class ChaosApiTests : IAsyncLifetime
{
    private readonly TestProcess _target = TestProcess.Sleeper();
    private ServerUnderTest _running = null!;

    public async ValueTask InitializeAsync()
    {
        var configuration = new ChaosConfiguration { Safety = new SafetySettings { MaxCpuUsage = 100, MaxMemoryUsage = 100 } };
        _running = await ServerUnderTest.StartAsync(configuration);
    }

    public async ValueTask DisposeAsync()
    {
        await _running.DisposeAsync();
        _target.Dispose();
    }

    private string MetricsText() => _running.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken).GetAwaiter().GetResult();

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _running.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task HealthAndStatus_Answer()
    {
        var (health, body) = await SendAsync(HttpMethod.Get, "/health");
        Assert.Equal(HttpStatusCode.OK, health);
        Assert.Equal("ok", body.GetProperty("status").GetString());

        var (status, state) = await SendAsync(HttpMethod.Get, "/status");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, state.GetProperty("active_faults").GetInt32());
        Assert.False(state.GetProperty("safety").GetProperty("lock_engaged").GetBoolean());
    }

    [Fact]
    public async Task Faults_InjectListGetRemove_ActOnTheRealTarget()
    {
        var (created, body) = await SendAsync(HttpMethod.Post, "/faults", $$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":60}""");
        Assert.Equal(HttpStatusCode.Created, created);
        var id = body.GetProperty("fault_id").GetString()!;
        await Poll.UntilAsync(() => _target.State == 'T', TimeSpan.FromSeconds(2), "state T");

        var (listed, list) = await SendAsync(HttpMethod.Get, "/faults");
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Equal(id, Assert.Single(list.EnumerateArray()).GetProperty("fault_id").GetString());
        var (got, one) = await SendAsync(HttpMethod.Get, $"/faults/{id}");
        Assert.Equal(HttpStatusCode.OK, got);
        Assert.Equal("active", one.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Object, one.GetProperty("parameters").ValueKind);
        Assert.Equal(Environment.ProcessId, one.GetProperty("owner_pid").GetInt32());
        Assert.Equal(["created_at", "error", "expires_at", "fault_id", "injector_name", "measurements", "mechanism", "mechanism_reason", "owner_pid", "parameters", "profile_name", "removal_reason", "state", "target_service"],
            one.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var (deleted, _) = await SendAsync(HttpMethod.Delete, $"/faults/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.True(_target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, $"/faults/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/faults/nope")).Status);
    }

    [Fact]
    public async Task Faults_TargetResumedBehindTheEnginesBack_ListedWithEffectLost()
    {
        var (created, body) = await SendAsync(HttpMethod.Post, "/faults", $$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":60}""");
        Assert.True(created == HttpStatusCode.Created, body.ToString());
        var id = body.GetProperty("fault_id").GetString()!;
        await Poll.UntilAsync(() => _target.State == 'T', TimeSpan.FromSeconds(5), "state T");

        Assert.True(LibC.TrySignal(_target.Pid, LibC.SIGCONT));

        // The effect watch looks once a second; the API shows what it found, and the fault stays listed.
        var marked = await Poll.UntilAsync(() => SendAsync(HttpMethod.Get, $"/faults/{id}").GetAwaiter().GetResult(), r => r.Body.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(15), "the fault to be marked");
        Assert.Equal("active", marked.Body.GetProperty("state").GetString());
        Assert.StartsWith("effect lost: ", marked.Body.GetProperty("error").GetString(), StringComparison.Ordinal);
        var (_, list) = await SendAsync(HttpMethod.Get, "/faults");
        Assert.StartsWith("effect lost: ", Assert.Single(list.EnumerateArray()).GetProperty("error").GetString(), StringComparison.Ordinal);

        // Counted in /metrics: the effect checked on the target and found gone.
        await Poll.UntilAsync(() => MetricsText(), t => t.Contains("bev_chaos_faults_effect_lost_total{injector=\"service_pause\"} 1", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the lost effect counted");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, $"/faults/{id}")).Status);
    }

    [Fact]
    public async Task Faults_ShortAliases_AreTheSameFault()
    {
        var (created, body) = await SendAsync(HttpMethod.Post, "/faults", $$"""{"injector":"service_pause","target":"pid:{{_target.Pid}}","duration":"60s"}""");

        Assert.True(created == HttpStatusCode.Created, body.ToString());
        await Poll.UntilAsync(() => _target.State == 'T', TimeSpan.FromSeconds(2), "state T");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, $"/faults/{body.GetProperty("fault_id").GetString()}")).Status);
    }

    [Fact]
    public async Task Faults_ProfileAlias_IsProfileName()
    {
        var (created, body) = await SendAsync(HttpMethod.Post, "/faults", $$"""{"injector":"cpu_stress","target":"pid:{{_target.Pid}}","profile":"cpu_stress_light","duration":"30s"}""");
        Assert.True(created == HttpStatusCode.Created, body.ToString());
        var id = body.GetProperty("fault_id").GetString()!;

        var (_, fault) = await SendAsync(HttpMethod.Get, $"/faults/{id}");

        Assert.Equal("cpu_stress_light", fault.GetProperty("profile_name").GetString());
        Assert.Equal(30.0, fault.GetProperty("parameters").GetProperty("load_percent").GetDouble());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, $"/faults/{id}")).Status);
    }

    [Fact]
    public async Task Experiments_FaultsInTheOriginalVocabulary_Run()
    {
        var (accepted, body) = await SendAsync(HttpMethod.Post, "/experiments", $$"""
            {"name":"original-vocabulary","baseline_seconds":0,"validation_seconds":0,
             "fault_injections":[{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":0.5}]}
            """);
        Assert.True(accepted == HttpStatusCode.Accepted, body.ToString());
        var id = body.GetProperty("experiment_id").GetString()!;

        await Poll.UntilAsync(() => _target.State == 'T', TimeSpan.FromSeconds(10), "the experiment pauses the target");
        var finished = await Poll.UntilAsync(() => SendAsync(HttpMethod.Get, $"/experiments/{id}").GetAwaiter().GetResult(), r => r.Body.TryGetProperty("verdict", out _), TimeSpan.FromSeconds(20), "the verdict");
        Assert.Equal("passed", finished.Body.GetProperty("verdict").GetString());
    }

    [Theory]
    [InlineData("{bad json", "(body)")]
    [InlineData("[1,2]", "(body)")]
    [InlineData("""{"injector_name":"cpu_stress"}""", "target_service")]
    [InlineData("""{"injector_name":7,"target_service":"pid:1"}""", "injector_name")]
    [InlineData("""{"injector_name":"cpu_stress","target_service":"TARGET","colour":"red"}""", "colour")]
    [InlineData("""{"injector_name":"cpu_stress","target_service":"TARGET","parameters":{"load_percent":500}}""", "parameters.load_percent")]
    [InlineData("""{"injector_name":"cpu_stress","target_service":"TARGET","parameters":[1]}""", "parameters")]
    [InlineData("""{"injector_name":"cpu_melt","target_service":"TARGET"}""", "injector_name")]
    [InlineData("""{"injector_name":"cpu_stress","target_service":"TARGET","duration_seconds":-1}""", "duration_seconds")]
    [InlineData("""{"injector_name":"cpu_stress","injector":"service_pause","target_service":"TARGET"}""", "injector_name")]
    [InlineData("""{"injector":"cpu_stress","target_service":"TARGET","target":"pid:1"}""", "target_service")]
    [InlineData("""{"injector_name":"disk_fill","target_service":"TARGET","parameters":{"path":""}}""", "parameters.path")]
    [InlineData("""{"injector_name":"disk_fill","target_service":"TARGET","parameters":{"path":"tmp/x"}}""", "parameters.path")]
    public async Task Faults_BadBodies_Are400NamingTheFieldAndApplyNothing(string body, string field)
    {
        var (status, error) = await SendAsync(HttpMethod.Post, "/faults", body.Replace("TARGET", $"pid:{_target.Pid}", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()));
        Assert.Empty(await _running.Engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
        Assert.True(_target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
    }

    [Fact]
    public async Task Faults_HugeBody_IsRefusedWith4xx()
    {
        var huge = "{\"injector_name\":\"" + new string('x', 600_000) + "\"}";

        var (status, _) = await SendAsync(HttpMethod.Post, "/faults", huge);

        Assert.InRange((int)status, 400, 499);
    }

    [Fact]
    public async Task EmergencyStop_RemovesLocksAndReleases()
    {
        await SendAsync(HttpMethod.Post, "/faults", $$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}"}""");

        var (stopped, body) = await SendAsync(HttpMethod.Post, "/emergency-stop");
        Assert.Equal(HttpStatusCode.OK, stopped);
        Assert.Equal(1, body.GetProperty("faults_removed").GetInt32());
        Assert.True(_target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");

        var (refused, error) = await SendAsync(HttpMethod.Post, "/faults", $$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}"}""");
        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Equal("safety_lock", error.GetProperty("field").GetString());

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, "/emergency-stop")).Status);
        var (again, fault) = await SendAsync(HttpMethod.Post, "/faults", $$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":5}""");
        Assert.Equal(HttpStatusCode.Created, again);
        await SendAsync(HttpMethod.Delete, $"/faults/{fault.GetProperty("fault_id").GetString()}");
    }

    [Fact]
    public async Task Experiments_StartPollAndFinish()
    {
        var (accepted, body) = await SendAsync(HttpMethod.Post, "/experiments", $$"""
            {"name":"api-experiment","baseline_seconds":0,"validation_seconds":0,
             "fault_injections":[{"injector":"service_pause","target":"pid:{{_target.Pid}}","duration_seconds":0.5}]}
            """);
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        var id = body.GetProperty("experiment_id").GetString()!;

        var finished = await Poll.UntilAsync(() => SendAsync(HttpMethod.Get, $"/experiments/{id}").GetAwaiter().GetResult(), r => r.Body.TryGetProperty("verdict", out _), TimeSpan.FromSeconds(20), "the verdict");
        Assert.Equal("passed", finished.Body.GetProperty("verdict").GetString());
        var (listed, list) = await SendAsync(HttpMethod.Get, "/experiments");
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Contains(list.GetProperty("finished").EnumerateArray(), e => e.GetProperty("experiment_id").GetString() == id);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, "/experiments/exp-none/stop")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, "/experiments/exp-none/approve")).Status);
    }

    [Theory]
    [InlineData("""{"scenario":"no_such"}""", "scenario")]
    [InlineData("""{"name":"x","fault_injections":[{"injector":"cpu_melt","target":"pid:1"}]}""", "fault_injections[0].injector_name")]
    [InlineData("""{"name":"x","safety_level":"extreme"}""", "safety_level")]
    [InlineData("""{"name":"x","fault_injections":[{"injector_name":"service_pause","target_service":"pid:1","profile":"no_such_profile"}]}""", "fault_injections[0].profile_name")]
    [InlineData("""{"name":"x","steady_state_probes":[{"name":"up","target":""}]}""", "steady_state_probes[0].target")]
    [InlineData("""{"name":"x","steady_state_probes":[{"name":"up"}]}""", "steady_state_probes[0].url")]
    [InlineData("""{"name":"x","fault_injections":[{"injector_name":"service_pause","injector":"cpu_stress","target_service":"pid:1"}]}""", "fault_injections[0].injector_name")]
    [InlineData("""{"name":"x","fault_injections":[{"injector_name":"service_pause","target_service":"pid:1","duration_seconds":5,"duration":"10s"}]}""", "fault_injections[0].duration_seconds")]
    public async Task Experiments_BadBodies_Are400(string body, string field)
    {
        var (status, error) = await SendAsync(HttpMethod.Post, "/experiments", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Empty(_running.Engine.Engineer.Running);
    }

    [Fact]
    public async Task ScenariosAndSuites_AreListed()
    {
        var (scenarios, list) = await SendAsync(HttpMethod.Get, "/scenarios");
        Assert.Equal(HttpStatusCode.OK, scenarios);
        Assert.Contains(list.EnumerateArray(), s => s.GetProperty("name").GetString() == "network_latency_light");
        var (one, scenario) = await SendAsync(HttpMethod.Get, "/scenarios/cascading_failure");
        Assert.Equal(HttpStatusCode.OK, one);
        Assert.Equal("critical", scenario.GetProperty("safety_level").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/scenarios/nope")).Status);
        var (suites, all) = await SendAsync(HttpMethod.Get, "/suites");
        Assert.Equal(HttpStatusCode.OK, suites);
        Assert.Equal(3, all.GetProperty("basic_resilience").GetArrayLength());
    }

    [Fact]
    public async Task OpenApi_DescribesTheEndpoints()
    {
        var (status, document) = await SendAsync(HttpMethod.Get, "/openapi.json");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("BEV Chaos API", document.GetProperty("info").GetProperty("title").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/faults", paths);
        Assert.Contains("/experiments/{id}", paths);
        Assert.Contains("/emergency-stop", paths);

        // The bodies in the one vocabulary: what a client generator would build requests from.
        JsonElement Body(string path) => document.GetProperty("paths").GetProperty(path).GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var fault = Body("/faults");
        Assert.Equal(["duration", "duration_seconds", "injector", "injector_name", "lease_seconds", "parameters", "profile", "profile_name", "target", "target_service"], fault.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());

        // The short spellings are there too, marked as the deprecated aliases they are.
        Assert.All(new[] { "injector", "target", "profile", "duration" }, alias => Assert.True(fault.GetProperty("properties").GetProperty(alias).GetProperty("deprecated").GetBoolean(), alias));
        Assert.Equal(["injector_name", "target_service"], fault.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order());
        Assert.False(fault.GetProperty("additionalProperties").GetBoolean());
        var inExperiment = Body("/experiments").GetProperty("properties").GetProperty("fault_injections").GetProperty("items");
        Assert.Contains("offset_seconds", inExperiment.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Contains("injector_name", inExperiment.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }
}
