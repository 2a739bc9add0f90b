using System.Diagnostics;
using System.Text;

namespace Bev.Chaos.Cli.Tests;

/// <summary>Runs the real bev-chaos executable (built beside the tests) and captures what it says.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Process Start(string dataDirectory, params string[] args) => Bev.Chaos.TestSupport.BevChaosCli.Start(dataDirectory, args);

    public static Task<Result> RunAsync(string dataDirectory, TimeSpan timeout, params string[] args) =>
        RunAsync(dataDirectory, timeout, new Dictionary<string, string>(), args);

    /// <summary>Runs it with extra environment variables.</summary>
    public static async Task<Result> RunAsync(string dataDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Bev.Chaos.TestSupport.BevChaosCli.Start(dataDirectory, args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"bev-chaos {string.Join(' ', args)} did not finish within {timeout}; stdout so far: {await stdout}");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
