using System.Net.Sockets;
using Bev.Chaos.Targets;

namespace Bev.Chaos.Probes;

/// <summary>Runs probes against the real thing; never throws for a failing target.</summary>
public sealed class ProbeRunner(TargetResolver targets, TimeProvider timeProvider, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly ProcessRunner _processes = new(timeProvider);
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Runs one probe to its result; a failing or silent target is a failed result, not an exception.</summary>
    public async Task<ProbeResult> RunAsync(ProbeDefinition probe, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var now = timeProvider.GetUtcNow();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(probe.Timeout);
        try
        {
            if (probe.Kind == ProbeKind.Prometheus)
            {
                var (holds, text, value) = await PrometheusAsync(probe, timeout.Token).ConfigureAwait(false);
                return new ProbeResult(probe.Name, now, holds, timeProvider.GetElapsedTime(started), text, value);
            }

            var (ok, detail) = probe.Kind switch
            {
                ProbeKind.Http => await HttpAsync(probe, timeout.Token).ConfigureAwait(false),
                ProbeKind.Tcp => await TcpAsync(probe, timeout.Token).ConfigureAwait(false),
                ProbeKind.Command => await CommandAsync(probe, timeout.Token).ConfigureAwait(false),
                _ => ProcessAlive(probe),
            };
            return new ProbeResult(probe.Name, now, ok, timeProvider.GetElapsedTime(started), detail);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(probe.Name, now, false, timeProvider.GetElapsedTime(started), $"no answer within {probe.Timeout.TotalMilliseconds:F0} ms");
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException)
        {
            return new ProbeResult(probe.Name, now, false, timeProvider.GetElapsedTime(started), ex.Message);
        }
    }

    private async Task<(bool, string)> HttpAsync(ProbeDefinition probe, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Url);
        foreach (var (name, value) in probe.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status < probe.ExpectedStatusMin || status > probe.ExpectedStatusMax)
        {
            return (false, $"status {status}, expected {probe.ExpectedStatusMin}-{probe.ExpectedStatusMax}");
        }

        var body = probe.BodyContains is null && probe.JsonPath is null && probe.BodyRegex is null ? null : await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (probe.BodyContains is { } text && !body!.Contains(text, StringComparison.Ordinal))
        {
            return (false, $"body lacks '{text}'");
        }

        if (probe.BodyRegex is { } pattern && !pattern.IsMatch(body!))
        {
            return (false, $"body does not match /{pattern}/");
        }

        if (probe.JsonPath is { } path)
        {
            System.Text.Json.Nodes.JsonNode? json;
            try
            {
                json = System.Text.Json.Nodes.JsonNode.Parse(body!);
            }
            catch (System.Text.Json.JsonException)
            {
                return (false, "the answer is not JSON");
            }

            var values = Tolerance.Select(json, path).Select(v => v is System.Text.Json.Nodes.JsonValue jv && jv.GetValueKind() == System.Text.Json.JsonValueKind.String ? jv.GetValue<string>() : v?.ToJsonString()).ToList();
            if (!values.Contains(probe.JsonExpected))
            {
                return (false, $"{path} is {(values.Count == 0 ? "missing" : string.Join(", ", values))}, not {probe.JsonExpected}");
            }
        }

        return (true, $"status {status}");
    }

    private static async Task<(bool, string)> TcpAsync(ProbeDefinition probe, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(probe.Host!, probe.Port, cancellationToken).ConfigureAwait(false);
        return (true, "connected");
    }

    private async Task<(bool, string)> CommandAsync(ProbeDefinition probe, CancellationToken cancellationToken)
    {
        ProcessRunResult run;
        try
        {
            run = await _processes.RunAsync(probe.Command, probe.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (false, $"cannot run {probe.Command[0]}: {ex.Message}");
        }

        if (run.TimedOut)
        {
            return (false, $"no answer within {probe.Timeout.TotalMilliseconds:F0} ms (the command was killed)");
        }

        if (run.ExitCode != probe.ExpectedExitCode)
        {
            return (false, $"exit code {run.ExitCode}, expected {probe.ExpectedExitCode}");
        }

        return probe.StdoutRegex is { } pattern && !pattern.IsMatch(run.Stdout)
            ? (false, $"stdout does not match /{pattern}/")
            : (true, $"exit code {run.ExitCode}");
    }

    private async Task<(bool, string, double?)> PrometheusAsync(ProbeDefinition probe, CancellationToken cancellationToken)
    {
        var text = await _http.GetStringAsync(probe.Url, cancellationToken).ConfigureAwait(false);
        double? value;
        try
        {
            value = PrometheusText.Evaluate(text, probe.Metric!);
        }
        catch (FormatException ex)
        {
            return (false, "not a Prometheus exposition: " + ex.Message, null);
        }

        if (value is not { } v)
        {
            return (false, $"no sample matches {probe.Metric}", null);
        }

        if (probe.MeasureOnly)
        {
            return (true, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{probe.Metric} = {v:G6} (measured)"), v);
        }

        var holds = probe.Comparison switch
        {
            ProbeComparison.LessThan => v < probe.Threshold,
            ProbeComparison.LessOrEqual => v <= probe.Threshold,
            ProbeComparison.GreaterThan => v > probe.Threshold,
            ProbeComparison.GreaterOrEqual => v >= probe.Threshold,
            ProbeComparison.Equal => v == probe.Threshold,
            _ => v != probe.Threshold,
        };
        return (holds, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{probe.Metric} = {v:G6}, must be {Symbol(probe.Comparison)} {probe.Threshold:G6}"), v);
    }

    /// <summary>The operator as written in YAML.</summary>
    public static string Symbol(ProbeComparison comparison) => comparison switch
    {
        ProbeComparison.LessThan => "<",
        ProbeComparison.LessOrEqual => "<=",
        ProbeComparison.GreaterThan => ">",
        ProbeComparison.GreaterOrEqual => ">=",
        ProbeComparison.Equal => "==",
        _ => "!=",
    };

    private (bool, string) ProcessAlive(ProbeDefinition probe)
    {
        try
        {
            var target = targets.Resolve(probe.Target!);
            var stopped = target.Processes.Where(p => Targets.Linux.ProcFs.TryReadStat(p.Pid)?.State is 'T' or 't' or 'Z').ToList();
            return stopped.Count > 0 ? (false, $"pid {stopped[0].Pid} is stopped") : (true, $"pid {target.MainProcess.Pid} running");
        }
        catch (ChaosValidationException ex)
        {
            return (false, ex.Errors[0].Allowed);
        }
    }

    /// <summary>Closes its HTTP connections; a handler passed in is disposed too.</summary>
    public void Dispose() => _http.Dispose();
}
