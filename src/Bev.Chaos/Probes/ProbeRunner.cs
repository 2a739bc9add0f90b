using System.Diagnostics;
using System.Net.Sockets;
using Bev.Chaos.Targets;

namespace Bev.Chaos.Probes;

/// <summary>Runs probes against the real thing; never throws for a failing target.</summary>
public sealed class ProbeRunner(TargetResolver targets, TimeProvider timeProvider, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<ProbeResult> RunAsync(ProbeDefinition probe, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var now = timeProvider.GetUtcNow();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(probe.Timeout);
        try
        {
            var (ok, detail) = probe.Kind switch
            {
                ProbeKind.Http => await HttpAsync(probe, timeout.Token).ConfigureAwait(false),
                ProbeKind.Tcp => await TcpAsync(probe, timeout.Token).ConfigureAwait(false),
                _ => ProcessAlive(probe),
            };
            return new ProbeResult(probe.Name, now, ok, Stopwatch.GetElapsedTime(started), detail);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(probe.Name, now, false, Stopwatch.GetElapsedTime(started), $"no answer within {probe.Timeout.TotalMilliseconds:F0} ms");
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException)
        {
            return new ProbeResult(probe.Name, now, false, Stopwatch.GetElapsedTime(started), ex.Message);
        }
    }

    private async Task<(bool, string)> HttpAsync(ProbeDefinition probe, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(probe.Url, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status < probe.ExpectedStatusMin || status > probe.ExpectedStatusMax)
        {
            return (false, $"status {status}, expected {probe.ExpectedStatusMin}-{probe.ExpectedStatusMax}");
        }

        var body = probe.BodyContains is null && probe.JsonPath is null ? null : await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (probe.BodyContains is { } text && !body!.Contains(text, StringComparison.Ordinal))
        {
            return (false, $"body lacks '{text}'");
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

            var values = Experiments.ChaosToolkit.Tolerance.Select(json, path).Select(v => v is System.Text.Json.Nodes.JsonValue jv && jv.GetValueKind() == System.Text.Json.JsonValueKind.String ? jv.GetValue<string>() : v?.ToJsonString()).ToList();
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

    public void Dispose() => _http.Dispose();
}
