using System.Globalization;
using System.Text.Json.Nodes;

namespace Bev.Chaos.SampleService;

/// <summary>
/// The collector's call to the analyzer's triage API (<c>GET /triage?source=…</c>), as a service
/// with a retry policy makes it: up to <see cref="Attempts"/> attempts on a kept-alive connection,
/// a short back-off between them, and counters for each attempt, each retry and each item given up
/// on — what a protocol fault on that call is measured by.
/// </summary>
internal sealed class TriageClient : IDisposable
{
    /// <summary>Attempts per item before the collector gives up and sends the item untriaged.</summary>
    public const int Attempts = 3;

    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(20);

    private readonly HttpClient _http;
    private readonly Uri _url;
    private long _requests;
    private long _retries;
    private long _failures;

    public TriageClient(Uri url)
    {
        _url = url;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = 4 })
        {
            Timeout = TimeSpan.FromSeconds(1),
        };
    }

    /// <summary>The analyzer's priority for <paramref name="source"/>, or null when every attempt failed.</summary>
    public async Task<int?> PriorityAsync(string source)
    {
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _requests);
            try
            {
                using var response = await _http.GetAsync(new Uri(_url, "?source=" + Uri.EscapeDataString(source))).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    var body = JsonNode.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                    return body?["priority"]?.GetValue<int>();
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
            {
                // A reset, a timeout or a mangled body (an http_replace can make the priority a
                // string, or the body an array): as a failed attempt, like a 5xx.
            }

            if (attempt == Attempts)
            {
                Interlocked.Increment(ref _failures);
                return null;
            }

            Interlocked.Increment(ref _retries);
            await Task.Delay(Backoff).ConfigureAwait(false);
        }
    }

    /// <summary>The counters in the Prometheus text format.</summary>
    public string Metrics() => string.Create(CultureInfo.InvariantCulture,
        $"# HELP sample_pipeline_triage_requests_total Triage requests sent to the analyzer, retries included.\n# TYPE sample_pipeline_triage_requests_total counter\nsample_pipeline_triage_requests_total {Interlocked.Read(ref _requests)}\n" +
        $"# HELP sample_pipeline_triage_retries_total Triage requests retried after a failed attempt.\n# TYPE sample_pipeline_triage_retries_total counter\nsample_pipeline_triage_retries_total {Interlocked.Read(ref _retries)}\n" +
        $"# HELP sample_pipeline_triage_failures_total Items sent on untriaged after {Attempts} failed attempts.\n# TYPE sample_pipeline_triage_failures_total counter\nsample_pipeline_triage_failures_total {Interlocked.Read(ref _failures)}\n");

    public void Dispose() => _http.Dispose();
}
