using System.Text.Json;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

public sealed class InjectCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Inject_BadParameters_ExitsTwoAndNamesEachProblem()
    {
        using var target = TestProcess.Sleeper();

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "inject", "cpu_stress", "--target", $"pid:{target.Pid}", "--param", "load_percent=150", "--param", "workers=two", "--duration", "2h");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            """
            bev-chaos: invalid input:
              parameters.workers: 'two' is not allowed; allowed: a whole number from 1 to 256
              parameters.load_percent: '150' is not allowed; allowed: a number from 1 to 100
              duration_seconds: '7200' is not allowed; allowed: more than 0 and at most 3600 seconds (global.max_fault_duration)

            """,
            result.Stderr);
        Assert.True(target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
    }

    [Theory]
    [InlineData(new[] { "inject", "cpu_stress" }, "Option '--target' is required.")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'.")]
    [InlineData(new[] { "inject", "cpu_stress", "--target", "pid:2", "--param", "oops" }, "--param: 'oops' is not allowed; allowed: KEY=VALUE")]
    [InlineData(new[] { "inject", "cpu_stress", "--target", "pid:2", "--duration", "soon" }, "--duration: 'soon' is not allowed; allowed: a positive duration: seconds, or with ms/s/m/h (e.g. 30s, 5m)")]
    public async Task BadCommandLine_ExitsTwoWithTheReason(string[] args, string message)
    {
        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public async Task Inject_Foreground_HoldsFaultUntilExpiryThenRemovesIt()
    {
        using var target = TestProcess.Sleeper();
        using var process = CliRunner.Start(_data.Path, "inject", "service_pause", "--target", $"pid:{target.Pid}", "--duration", "2s", "--output", "json");

        var first = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
        var rest = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var json = JsonDocument.Parse(first + rest).RootElement;
        Assert.StartsWith("service_pause-", json.GetProperty("fault_id").GetString());
        await ProcessExit.WithinAsync(process, TimeSpan.FromSeconds(30), "inject after its 2 s fault expired");

        Assert.Equal(0, process.ExitCode);
        Assert.True(target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(15)]
    public async Task Inject_SigintOrSigterm_RemovesFaultAndExitsZero(int signal)
    {
        using var target = TestProcess.Sleeper();
        using var process = CliRunner.Start(_data.Path, "inject", "service_pause", "--target", $"pid:{target.Pid}", "--duration", "60s", "--output", "json");
        await Poll.UntilAsync(() => target.State == 'T', TimeSpan.FromSeconds(20), "the target paused");

        ProcessExit.RequireSignalDeliverable(signal);
        LibC.TrySignal(process.Id, signal);

        // Well before the fault's own 60 s: the signal, not the expiry, must end the command.
        await ProcessExit.WithinAsync(process, TimeSpan.FromSeconds(20), $"inject after signal {signal}");

        Assert.Equal(0, process.ExitCode);
        Assert.True(target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
    }

    [Fact]
    public async Task Inject_UnavailableFeature_ExitsOneWithTheReason()
    {
        using var target = TestProcess.Sleeper();

        var result = await CliRunner.RunAsync(_data.Path, TimeSpan.FromSeconds(30), "inject", "io_delay", "--target", $"pid:{target.Pid}", "--param", "path=/proc");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not possible on this machine: ", result.Stderr);
    }
}
