using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Bev.Chaos.Bench;

/// <summary>wrk as a process: requests per second and latency percentiles; refuses a run with errors or non-2xx answers.</summary>
internal static partial class Wrk
{
    public const string Path = "/usr/bin/wrk";

    public sealed record Result(double RequestsPerSecond, double P50Ms, double P99Ms);

    public static async Task<Result> RunAsync(string url, int threads, int connections, double seconds)
    {
        var info = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { $"-t{threads}", $"-c{connections}", string.Create(CultureInfo.InvariantCulture, $"-d{seconds}s"), "--latency", url })
        {
            info.ArgumentList.Add(arg);
        }

        using var wrk = Process.Start(info)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        var errors = await wrk.StandardError.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0 || output.Contains("Non-2xx", StringComparison.Ordinal) || output.Contains("Socket errors", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"wrk against {url} did not run cleanly:\n{output}{errors}");
        }

        return new Result(double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture), Percentile(output, "50"), Percentile(output, "99"));
    }

    /// <summary>Each figure's median over <paramref name="runs"/>.</summary>
    public static Result Median(IReadOnlyList<Result> runs) =>
        new(Stats.Percentile(runs.Select(r => r.RequestsPerSecond).ToList(), 50), Stats.Percentile(runs.Select(r => r.P50Ms).ToList(), 50), Stats.Percentile(runs.Select(r => r.P99Ms).ToList(), 50));

    private static double Percentile(string output, string percent)
    {
        var match = Regex.Match(output, $@"^\s+{percent}%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}
