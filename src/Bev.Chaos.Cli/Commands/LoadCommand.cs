using System.CommandLine;
using System.Globalization;
using Bev.Chaos.Resilience;
using Spectre.Console;
using Bev.Chaos.Load;

namespace Bev.Chaos.Cli.Commands;

/// <summary><c>bev-chaos load URL --rate N --duration D [--connections C] [--output json]</c>: the constant-rate load generator alone.</summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("URL") { Description = "What to GET, e.g. http://127.0.0.1:8081/health; or tcp://HOST:PORT with --payload for a raw request/response protocol." };
        var payload = new Option<string?>("--payload") { Description = "tcp:// only: what each request sends (\\r, \\n and \\t are escapes); the answer is read up to its first newline. Example: 'PING\\r\\n' for Redis." };
        var rate = new Option<double>("--rate") { Description = "Requests per second (open loop).", Required = true };
        var duration = new Option<string>("--duration") { Description = "How long, e.g. 10s.", Required = true };
        var connections = new Option<int?>("--connections") { Description = "Keep-alive connections (the most requests in flight). Default: 16, or one per 500 req/s above 8,000 (at most 1,000)." };
        var output = CliOptions.Output();
        var command = new Command("load", $"""
            Send GETs at a constant rate (open loop, corrected for coordinated omission) and report throughput, errors, latency percentiles
            and the schedule lag (how late requests were sent). Each connection first makes one warm-up request that does not count.
            Exit 1 when the rate was not held (it says so rather than under-deliver quietly): {LoadGenerator.HeldRule}.
            Example: bev-chaos load http://127.0.0.1:18081/health --rate 500 --duration 10s --output json
            Example: bev-chaos load tcp://127.0.0.1:6379 --payload 'PING\r\n' --rate 1000 --duration 5s
            """)
        {
            url, payload, rate, duration, connections, output,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            var target = Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var u) ? u : throw new ChaosValidationException("URL", parse.GetValue(url), "an absolute http:// URL, or tcp://HOST:PORT with --payload");
            var length = CommandRunner.ParseDuration(parse.GetValue(duration)) ?? TimeSpan.Zero;
            var bytes = System.Text.Encoding.UTF8.GetBytes((parse.GetValue(payload) ?? string.Empty).Replace("\\r", "\r", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\t", "\t", StringComparison.Ordinal));
            using var generator = new LoadGenerator { TcpPayload = bytes, WarmUp = true };
            var asked = parse.GetValue(rate);
            var result = await generator.RunAsync(target, asked, length, parse.GetValue(connections) ?? LoadGenerator.DefaultConnections(asked), token).ConfigureAwait(false);
            if (CommandRunner.IsJson(parse, output))
            {
                await Console.Out.WriteLineAsync(JsonOutput.Serialize(new
                {
                    requests = result.Requests,
                    errors = result.Errors,
                    requested_rate = result.RequestedRate,
                    achieved_rate = Math.Round(result.AchievedRate, 2),
                    saturated = result.Saturated,
                    delayed = result.Delayed,
                    schedule_lag_ms = new { p50 = result.ScheduleLag.P50, p90 = result.ScheduleLag.P90, p99 = result.ScheduleLag.P99, max = result.ScheduleLag.Max },
                    latency_ms = new { p50 = result.Latency.P50, p90 = result.Latency.P90, p99 = result.Latency.P99, max = result.Latency.Max },
                    uncorrected_latency_ms = new { p50 = result.UncorrectedLatency.P50, p90 = result.UncorrectedLatency.P90, p99 = result.UncorrectedLatency.P99, max = result.UncorrectedLatency.Max },
                    seconds = result.Seconds,
                })).ConfigureAwait(false);
            }
            else
            {
                var table = new Table().AddColumns("requests", "errors", "achieved req/s", "p50 ms", "p90 ms", "p99 ms", "max ms");
                table.AddRow(result.Requests.ToString(CultureInfo.InvariantCulture), result.Errors.ToString(CultureInfo.InvariantCulture), result.AchievedRate.ToString("F1", CultureInfo.InvariantCulture),
                    F(result.Latency.P50), F(result.Latency.P90), F(result.Latency.P99), F(result.Latency.Max));
                AnsiConsole.Write(table);
            }

            if (result.Saturated)
            {
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"bev-chaos: could not hold {result.RequestedRate} req/s: {result.AchievedRate:F1} achieved ({100 * result.AchievedRate / result.RequestedRate:F1} %), schedule lag p50 {result.ScheduleLag.P50:F1} ms, p99 {result.ScheduleLag.P99:F1} ms; {LoadGenerator.HeldRule} (raise --connections or lower --rate)")).ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
