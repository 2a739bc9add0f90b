using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;
using HdrHistogram;

namespace Bev.Chaos.Load;

/// <summary>
/// Open-loop constant-rate HTTP GETs: request <c>i</c> is due at <c>start + i/rate</c> whatever the
/// answers so far. At most <c>connections</c> are in flight (keep-alive); a request that must wait
/// for a free connection is still timed from when it was due (coordinated-omission correction, as
/// wrk2 does). Every latency goes into an HDR histogram. Bounded: it stops after
/// <c>rate × duration</c> requests.
/// </summary>
public sealed class LoadGenerator(HttpMessageHandler? handler = null, TimeSpan? requestTimeout = null) : IDisposable
{
    /// <summary>The rate counts as held when at least this share of it was achieved (0.95: within 5 %).</summary>
    public const double HeldRateShare = 0.95;

    /// <summary>The rate counts as held when half the requests were sent at most this late (the tail is reported, not judged: a busy machine delays some sends without changing the load the target saw).</summary>
    public static readonly TimeSpan HeldScheduleLag = TimeSpan.FromMilliseconds(100);

    /// <summary>The rule behind <see cref="LoadResult.Saturated"/>, in words for help texts and messages.</summary>
    public static readonly string HeldRule =
        $"the rate counts as held when at least {HeldRateShare * 100:0} % of it was achieved and the median request was sent at most {HeldScheduleLag.TotalMilliseconds:0} ms after it was due";

    private const long HighestMicros = 60_000_000;

    private static readonly TimeSpan WarmUpTimeout = TimeSpan.FromSeconds(1);

    // An invoker, not an HttpClient: the client's per-request timeout source and linking cost
    // about a tenth of the generator's throughput; each sender keeps its own reusable one.
    private readonly HttpMessageInvoker _http = new(handler ?? new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 10_000,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        EnableMultipleHttp2Connections = false,
    });

    private readonly TimeSpan _requestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);

    /// <summary>
    /// When true, every connection first makes one request that is not counted (bounded to 1 s), so
    /// that connecting and start-up do not land on the first timed requests. Off by default: a run
    /// that starts beside a fault must begin on schedule, not after the fault has already bitten.
    /// </summary>
    public bool WarmUp { get; init; }

    /// <summary>For <c>tcp://HOST:PORT</c> URLs: the bytes each request sends; the answer is read up to its first newline.</summary>
    public ReadOnlyMemory<byte> TcpPayload { get; init; }

    /// <summary>Runs the load; see the class summary.</summary>
    /// <param name="url">The http:// URL to GET.</param>
    /// <param name="rate">Requests per second.</param>
    /// <param name="duration">How long; the run sends at most <c>rate × duration</c> requests.</param>
    /// <param name="connections">At most this many requests in flight.</param>
    /// <param name="cancellationToken">Abandons the run, in-flight requests too.</param>
    /// <param name="onSample">Called once per finished request (from any thread), with when it was due, its corrected latency and whether it failed.</param>
    /// <param name="stop">Stops sending new requests early; those in flight still finish and count.</param>
    /// <exception cref="ChaosValidationException">A bad URL, rate, duration or connection count.</exception>
    public async Task<LoadResult> RunAsync(Uri url, double rate, TimeSpan duration, int connections, CancellationToken cancellationToken, Action<LoadSample>? onSample = null, CancellationToken stop = default)
    {
        Validate(url, rate, duration, connections, TcpPayload.Length);
        var total = (long)Math.Round(rate * duration.TotalSeconds);
        var corrected = new LongConcurrentHistogram(1, HighestMicros, 3);
        var uncorrected = new LongConcurrentHistogram(1, HighestMicros, 3);
        var lag = new LongConcurrentHistogram(1, HighestMicros, 3);
        var seconds = (int)Math.Ceiling(duration.TotalSeconds) + 1;
        var perSecond = Enumerable.Range(0, seconds).Select(_ => new LongConcurrentHistogram(1, HighestMicros, 2)).ToArray();
        var perSecondErrors = new long[seconds];
        var errors = 0L;
        var delayed = 0L;

        // One sender per connection takes due times from the dispatcher; a request that finds every
        // sender busy waits in the channel and is still timed from when it was due.
        var dueTimes = Channel.CreateBounded<long>(new BoundedChannelOptions(connections) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

        // Warm-up, not counted: every sender opens its connection (and the code paths are jitted)
        // before the schedule starts, so the first requests do not pay for connecting.
        var warm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var warming = connections;
        if (!WarmUp)
        {
            warm.TrySetResult();
        }

        var start = 0L;
        var senders = Enumerable.Range(0, connections).Select(_ => Task.Run(SendAllAsync, CancellationToken.None)).ToArray();
        try
        {
            await warm.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The senders end once no due time can come.
            dueTimes.Writer.Complete();
            throw;
        }

        start = Stopwatch.GetTimestamp();
        var ticksPerRequest = Stopwatch.Frequency / rate;
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop);
        try
        {
            for (long i = 0; i < total && !sending.IsCancellationRequested; i++)
            {
                var due = start + (long)(i * ticksPerRequest);
                await WaitUntilAsync(due, sending.Token).ConfigureAwait(false);
                if (!dueTimes.Writer.TryWrite(due))
                {
                    delayed++;
                    await dueTimes.Writer.WriteAsync(due, sending.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            dueTimes.Writer.Complete();
        }

        await Task.WhenAll(senders).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var elapsed = Stopwatch.GetElapsedTime(start);
        var requests = corrected.TotalCount;
        var achieved = requests / (stop.IsCancellationRequested ? elapsed.TotalSeconds : Math.Max(elapsed.TotalSeconds, duration.TotalSeconds));
        return new LoadResult
        {
            Requests = requests,
            Errors = errors,
            RequestedRate = rate,
            AchievedRate = achieved,
            Duration = elapsed,
            Latency = Summary(corrected),
            UncorrectedLatency = Summary(uncorrected),
            Seconds = perSecond.Select((h, index) => new LoadSecond(index, h.TotalCount, perSecondErrors[index], h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(50) / 1000.0, h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(99) / 1000.0)).Where(s => s.Requests > 0).ToList(),
            Delayed = delayed,
            ScheduleLag = Summary(lag),
            Saturated = (!stop.IsCancellationRequested && achieved < rate * HeldRateShare)
                || (lag.TotalCount > 0 && lag.GetValueAtPercentile(50) > HeldScheduleLag.TotalMicroseconds),
        };

        async Task SendAllAsync()
        {
            // Reused while it has not fired: one timer per sender, not one per request.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timeoutCts = timeout;
            using var tcp = url.Scheme == "tcp" ? new TcpLineExchange(url.Host, url.Port, TcpPayload) : null;
            if (WarmUp)
            {
                try
                {
                    // Bounded: a target that does not answer must not hold the schedule back.
                    timeoutCts.CancelAfter(_requestTimeout < WarmUpTimeout ? _requestTimeout : WarmUpTimeout);
                    await ExchangeAsync(tcp, timeoutCts.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or OperationCanceledException)
                {
                    // A failed warm-up is not a result: the timed requests will meet the same failure and count it.
                }
                finally
                {
                    if (Interlocked.Decrement(ref warming) == 0)
                    {
                        warm.TrySetResult();
                    }
                }
            }

            await foreach (var due in dueTimes.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    continue;
                }

                if (!timeoutCts.TryReset())
                {
                    timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                }

                timeoutCts.CancelAfter(_requestTimeout);
                var sent = Stopwatch.GetTimestamp();
                lag.RecordValue(Math.Clamp((sent - due) * 1_000_000 / Stopwatch.Frequency, 1, HighestMicros));
                var failed = false;
                try
                {
                    failed = !await ExchangeAsync(tcp, timeoutCts.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    failed = true;
                }

                var done = Stopwatch.GetTimestamp();
                var correctedMicros = Math.Clamp((done - due) * 1_000_000 / Stopwatch.Frequency, 1, HighestMicros);
                var uncorrectedMicros = Math.Clamp((done - sent) * 1_000_000 / Stopwatch.Frequency, 1, HighestMicros);
                var second = (int)Math.Min(seconds - 1, (due - start) / Stopwatch.Frequency);
                corrected.RecordValue(correctedMicros);
                uncorrected.RecordValue(uncorrectedMicros);
                perSecond[second].RecordValue(correctedMicros);
                if (failed)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.Increment(ref perSecondErrors[second]);
                }

                onSample?.Invoke(new LoadSample(due, correctedMicros / 1000.0, failed));
            }

            if (!ReferenceEquals(timeoutCts, timeout))
            {
                timeoutCts.Dispose();
            }
        }

        // One request: true when it succeeded (an HTTP status below 500, or a TCP answer line).
        async ValueTask<bool> ExchangeAsync(TcpLineExchange? tcp, CancellationToken token)
        {
            if (tcp is not null)
            {
                await tcp.ExchangeAsync(token).ConfigureAwait(false);
                return true;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await _http.SendAsync(request, token).ConfigureAwait(false);
            await response.Content.CopyToAsync(Stream.Null, token).ConfigureAwait(false);
            return (int)response.StatusCode < 500;
        }
    }

    /// <summary>A connection count that fits <paramref name="rate"/>: 16, and one more per 500 req/s above 8,000, at most 1,000.</summary>
    public static int DefaultConnections(double rate) => (int)Math.Clamp(Math.Ceiling(rate / 500), 16, 1000);

    private static void Validate(Uri url, double rate, TimeSpan duration, int connections, int payloadLength)
    {
        var errors = new List<ValidationError>();
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https" or "tcp"))
        {
            errors.Add(new ValidationError("URL", url.ToString(), "an absolute http:// URL, or tcp://HOST:PORT with a payload"));
        }
        else if (url.Scheme == "tcp" && (url.Port <= 0 || payloadLength == 0))
        {
            errors.Add(new ValidationError(url.Port <= 0 ? "URL" : "--payload", url.Port <= 0 ? url.ToString() : string.Empty, url.Port <= 0 ? "tcp://HOST:PORT with a port" : "the bytes to send on each request (e.g. 'PING\\r\\n')"));
        }

        if (rate is < 1 or > 1_000_000 || double.IsNaN(rate))
        {
            errors.Add(new ValidationError("--rate", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), "1 to 1,000,000 requests per second"));
        }

        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromHours(1))
        {
            errors.Add(new ValidationError("--duration", DurationText.Format(duration), "more than 0 and at most 1h"));
        }

        if (connections is < 1 or > 10_000)
        {
            errors.Add(new ValidationError("--connections", connections.ToString(System.Globalization.CultureInfo.InvariantCulture), "1 to 10,000"));
        }

        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }
    }

    // Coarse sleep, then a short spin: request times stay within tens of microseconds of due.
    private static async ValueTask WaitUntilAsync(long due, CancellationToken cancellationToken)
    {
        var left = due - Stopwatch.GetTimestamp();
        if (left > Stopwatch.Frequency / 500)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency) - TimeSpan.FromMilliseconds(1.5), TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }

        while (Stopwatch.GetTimestamp() < due)
        {
            Thread.SpinWait(20);
        }
    }

    private static LatencySummary Summary(HistogramBase histogram) => histogram.TotalCount == 0
        ? new LatencySummary(0, 0, 0, 0)
        : new LatencySummary(histogram.GetValueAtPercentile(50) / 1000.0, histogram.GetValueAtPercentile(90) / 1000.0, histogram.GetValueAtPercentile(99) / 1000.0, histogram.GetMaxValue() / 1000.0);

    /// <summary>Closes its connections; a handler passed in is disposed too.</summary>
    public void Dispose() => _http.Dispose();
}
