using System.Text.Json;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

public sealed class FaultsCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Faults_ListsAnotherEnginesFault_RemoveTakesItOut()
    {
        using var target = TestProcess.Sleeper();
        using var engine = CliRunner.Start(_data.Path, "inject", "service_pause", "--target", $"pid:{target.Pid}", "--duration", "60s", "--output", "json");
        await Poll.UntilAsync(() => target.State == 'T', TimeSpan.FromSeconds(20), "the target paused");

        var listed = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--output", "json");
        Assert.Equal(0, listed.ExitCode);
        var fault = Assert.Single(JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray());
        Assert.Equal("service_pause", fault.GetProperty("injector_name").GetString());
        Assert.Equal("active", fault.GetProperty("state").GetString());
        Assert.Equal(engine.Id, fault.GetProperty("owner_pid").GetInt32());
        Assert.InRange(fault.GetProperty("seconds_left").GetDouble(), 30, 60);

        var removed = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "remove", fault.GetProperty("fault_id").GetString()!);
        Assert.Equal(0, removed.ExitCode);
        Assert.True(target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
        await ProcessExit.WithinAsync(engine, TimeSpan.FromSeconds(30), "inject after another process removed its fault");
        Assert.Equal(0, engine.ExitCode);
    }

    [Theory]
    [InlineData("INFO", true)]
    [InlineData("info", true)]
    [InlineData("Information", true)]
    [InlineData("WARNING", false)]
    public async Task LogLevel_TheOriginalsNamesInAnyCase_SetWhatIsLogged(string level, bool infoLogged)
    {
        using var target = TestProcess.Sleeper();

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "inject", "service_pause", "--target", $"pid:{target.Pid}", "--duration", "1s", "--log-level", level);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(infoLogged, result.Stderr.Contains("info: Bev.Chaos.Faults.FaultInjectionManager", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogLevel_Unknown_IsExit2NamingWhatIsAllowed()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--log-level", "LOUD");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--log-level: 'LOUD' is not allowed; allowed: trace, debug, info, warning, error, critical, none", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_EmptyStore_SaysSoInTextAndJson()
    {
        var text = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults");
        var json = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--output", "json");

        Assert.Equal((0, "no active faults\n", string.Empty), (text.ExitCode, text.Stdout, text.Stderr));
        Assert.Equal((0, "[]\n", string.Empty), (json.ExitCode, json.Stdout, json.Stderr));
    }

    [Fact]
    public async Task Faults_FaultOfADeadEngine_RevertsItBeforeListing()
    {
        using var target = TestProcess.Sleeper();
        using var engine = CliRunner.Start(_data.Path, "inject", "service_pause", "--target", $"pid:{target.Pid}", "--duration", "60s", "--output", "json");
        await Poll.UntilAsync(() => target.State == 'T', TimeSpan.FromSeconds(20), "the target paused");
        engine.Kill();
        await ProcessExit.WithinAsync(engine, TimeSpan.FromSeconds(30), "inject after SIGKILL");
        Assert.Equal('T', target.State);

        var listed = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--output", "json");

        Assert.Equal(0, listed.ExitCode);
        Assert.Equal("[]\n", listed.Stdout);
        Assert.Contains("bev-chaos: reverted 1 fault(s) left active by an engine that died", listed.Stderr);
        Assert.True(target.State is 'R' or 'S', "running again (R or S): the dead engine's pause was reverted");
    }

    [Fact]
    public async Task Remove_UnknownId_ExitsTwo()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "remove", "cpu_stress-000000000000");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("FAULT_ID: 'cpu_stress-000000000000' is not allowed; allowed: the id of an active fault (see 'bev-chaos faults')", result.Stderr);
    }

    [Fact]
    public async Task Faults_Injectors_ListsEveryBuiltInWithProfiles()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--injectors", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var injectors = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Equal(
            ["connection_exhaustion", "connection_reset", "cpu_stress", "cpu_throttle", "data_limit", "disk_fill", "http_abort", "http_delay", "http_replace", "io_delay", "memory_leak", "memory_limit",
                "network_bandwidth", "network_delay", "network_partition", "network_timeout", "packet_corrupt", "packet_duplicate", "packet_loss", "packet_loss_burst", "packet_reorder", "postgres_delay", "postgres_error", "redis_delay", "redis_error", "service_crash", "service_pause", "service_restart", "service_stop"],
            injectors.Keys.Order());
        Assert.Contains("cpu_stress_light", injectors["cpu_stress"].GetProperty("profiles").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Config_Invalid_ExitsTwoWithFileAndLine()
    {
        var config = Path.Combine(_data.Path, "bad.yaml");
        await File.WriteAllTextAsync(config, "global:\n  max_concurrent_experiments: many\n", TestContext.Current.CancellationToken);

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "faults", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{config}:2: global.max_concurrent_experiments: 'many' is not allowed; allowed: a whole number from 1 to 100", result.Stderr);
    }

    [Fact]
    public async Task EmergencyStop_NothingActive_ReportsZero()
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "emergency-stop", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(0, JsonDocument.Parse(result.Stdout).RootElement.GetProperty("faults_removed").GetInt32());
    }
}
