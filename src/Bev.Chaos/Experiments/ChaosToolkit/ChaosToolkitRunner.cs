using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Experiments.ChaosToolkit;

/// <summary>
/// Runs a Chaos Toolkit experiment with the <c>http</c> and <c>process</c> providers: the steady-state
/// hypothesis before, the method (with pauses and refs), the hypothesis after, then the rollbacks
/// (always). Writes a journal in Chaos Toolkit's shape. Statuses: <c>completed</c> (deviated or
/// not; a failed method activity is recorded and the method goes on, as in chaoslib), <c>failed</c>
/// (the hypothesis did not hold before),
/// <c>aborted</c>, <c>interrupted</c>.
/// </summary>
public sealed class ChaosToolkitRunner(TimeProvider timeProvider, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Probes.ProcessRunner _processes = new(timeProvider);

    /// <summary>The journal of one run.</summary>
    public async Task<JsonObject> RunAsync(JsonObject experiment, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetUtcNow();
        var journal = new JsonObject
        {
            ["chaoslib-version"] = "bev-chaos",
            ["platform"] = Environment.OSVersion.VersionString,
            ["node"] = Environment.MachineName,
            ["experiment"] = experiment.DeepClone(),
            ["start"] = Time(started),
            ["status"] = "completed",
            ["deviated"] = false,
            ["steady_states"] = new JsonObject { ["before"] = null, ["after"] = null, ["during"] = new JsonArray() },
            ["run"] = new JsonArray(),
            ["rollbacks"] = new JsonArray(),
        };
        var activities = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var activity in (experiment["steady-state-hypothesis"]?["probes"] as JsonArray ?? []).Concat(experiment["method"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (activity["name"]?.GetValue<string>() is { } name)
            {
                activities.TryAdd(name, activity);
            }
        }

        try
        {
            var before = await HypothesisAsync(experiment, cancellationToken).ConfigureAwait(false);
            journal["steady_states"]!["before"] = before;
            if (before is not null && !before["steady_state_met"]!.GetValue<bool>())
            {
                journal["status"] = "failed";
            }
            else
            {
                var runs = journal["run"]!.AsArray();
                foreach (var item in experiment["method"] as JsonArray ?? [])
                {
                    var activity = Resolve(item as JsonObject, activities);
                    var result = await ActivityAsync(activity, cancellationToken).ConfigureAwait(false);
                    // A failed activity is recorded and the method goes on (as in chaoslib): the
                    // hypothesis after the method judges the experiment.
                    runs.Add(result);
                }

                if (journal["status"]!.GetValue<string>() == "completed")
                {
                    var after = await HypothesisAsync(experiment, cancellationToken).ConfigureAwait(false);
                    journal["steady_states"]!["after"] = after;
                    if (after is not null && !after["steady_state_met"]!.GetValue<bool>())
                    {
                        journal["deviated"] = true;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            journal["status"] = "interrupted";
        }
        finally
        {
            var rollbacks = journal["rollbacks"]!.AsArray();
            foreach (var item in experiment["rollbacks"] as JsonArray ?? [])
            {
                rollbacks.Add(await ActivityAsync(Resolve(item as JsonObject, activities), CancellationToken.None).ConfigureAwait(false));
            }

            var ended = timeProvider.GetUtcNow();
            journal["end"] = Time(ended);
            journal["duration"] = (ended - started).TotalSeconds;
        }

        return journal;
    }

    /// <summary>0 held, 1 deviated or failed, 2 aborted or interrupted.</summary>
    public static int ExitCode(JsonObject journal) => journal["status"]!.GetValue<string>() switch
    {
        "completed" when !journal["deviated"]!.GetValue<bool>() => 0,
        "completed" or "failed" => 1,
        _ => 2,
    };

    private async Task<JsonObject?> HypothesisAsync(JsonObject experiment, CancellationToken cancellationToken)
    {
        if (experiment["steady-state-hypothesis"] is not JsonObject hypothesis)
        {
            return null;
        }

        var probes = new JsonArray();
        var met = true;
        foreach (var probe in hypothesis["probes"] as JsonArray ?? [])
        {
            var run = await ActivityAsync((JsonObject)probe!, cancellationToken).ConfigureAwait(false);
            var tolerated = run["status"]!.GetValue<string>() == "succeeded"
                && Tolerance.Check(probe!["tolerance"], run["output"], probe["provider"]!["type"]!.GetValue<string>());
            run["tolerance_met"] = tolerated;
            met &= tolerated;
            probes.Add(run);
            if (!tolerated)
            {
                break;
            }
        }

        return new JsonObject { ["steady_state_met"] = met, ["probes"] = probes };
    }

    private async Task<JsonObject> ActivityAsync(JsonObject activity, CancellationToken cancellationToken)
    {
        await PauseAsync(activity, "before", cancellationToken).ConfigureAwait(false);
        var started = timeProvider.GetUtcNow();
        var record = new JsonObject { ["activity"] = activity.DeepClone(), ["start"] = Time(started) };
        try
        {
            var provider = (JsonObject)activity["provider"]!;
            var timeout = TimeoutOf(provider);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            var (output, failure) = provider["type"]!.GetValue<string>() == "http"
                ? await HttpAsync(provider, cts.Token).ConfigureAwait(false)
                : await ProcessAsync(provider, timeout, cts.Token).ConfigureAwait(false);
            record["output"] = output;
            record["status"] = failure is null ? "succeeded" : "failed";
            if (failure is not null)
            {
                record["exception"] = new JsonArray(failure);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // chaoslib's words: "activity took too long to complete" (http), "process activity …" (process).
            record["status"] = "failed";
            record["exception"] = new JsonArray(activity["provider"]?["type"]?.ToString() == "process" ? "process activity took too long to complete" : "activity took too long to complete");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            record["status"] = "failed";
            record["exception"] = new JsonArray(ex.Message);
        }

        var ended = timeProvider.GetUtcNow();
        record["end"] = Time(ended);
        record["duration"] = (ended - started).TotalSeconds;
        await PauseAsync(activity, "after", cancellationToken).ConfigureAwait(false);
        return record;
    }

    private async Task<(JsonNode Output, string? Failure)> HttpAsync(JsonObject provider, CancellationToken cancellationToken)
    {
        // As chaoslib sends them: a GET carries the arguments in its query string; any other method
        // as a JSON body when the headers say Content-Type: application/json, else form-encoded.
        var method = new HttpMethod((provider["method"]?.GetValue<string>() ?? "GET").ToUpperInvariant());
        var headers = provider["headers"] as JsonObject ?? [];
        var arguments = provider["arguments"] as JsonObject;
        var url = provider["url"]!.GetValue<string>();
        if (arguments is { Count: > 0 } && method == HttpMethod.Get)
        {
            url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', FormFields(arguments).Select(f => WebUtility.UrlEncode(f.Key) + "=" + WebUtility.UrlEncode(f.Value)));
        }

        using var request = new HttpRequestMessage(method, url);
        if (arguments is not null && method != HttpMethod.Get)
        {
            var json = headers.Any(h => string.Equals(h.Key, "Content-Type", StringComparison.OrdinalIgnoreCase) && h.Value?.ToString() == "application/json");
            request.Content = json
                ? new StringContent(arguments.ToJsonString(), Encoding.UTF8, "application/json")
                : new FormUrlEncodedContent(FormFields(arguments));
        }

        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value?.ToString()) && request.Content is not null)
            {
                // The experiment's own header replaces the one the content brought (as requests does).
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value?.ToString());
            }
        }

        using var response = await SendAsync(request, MaxRetries(provider), cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonNode? body = text;
        if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
        {
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
            }
        }

        var received = new JsonObject();
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            received[header.Key] = string.Join(", ", header.Value);
        }

        return (new JsonObject { ["status"] = (int)response.StatusCode, ["headers"] = received, ["body"] = body }, null);
    }

    // max_retries as requests' HTTPAdapter counts them: retries of a connection that failed,
    // never of a request that got an answer.
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, int retries, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await _http.SendAsync(attempt == 0 ? request : await CopyAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError)
            {
                if (attempt >= retries)
                {
                    throw new HttpRequestException(HttpRequestError.ConnectionError, $"failed to connect to {request.RequestUri} ({attempt + 1} attempt{(attempt == 0 ? "" : "s")}): {ex.Message}", ex);
                }
            }
        }
    }

    private static async Task<HttpRequestMessage> CopyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (request.Content is not null)
        {
            copy.Content = new ByteArrayContent(await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            foreach (var header in request.Content.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return copy;
    }

    private static int MaxRetries(JsonObject provider) =>
        provider["max_retries"] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && int.TryParse(value.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var retries)
            ? Math.Clamp(retries, 0, 10)
            : 0;

    // Python's requests encodes a mapping as urlencode(doseq=True) does: a list is one field per
    // item, a null is left out, True/False as Python writes them, anything else as its text.
    private static IEnumerable<KeyValuePair<string, string>> FormFields(JsonObject arguments) =>
        arguments.SelectMany(argument => (argument.Value is JsonArray items ? items.Select(i => i) : [argument.Value])
            .OfType<JsonNode>()
            .Select(value => KeyValuePair.Create(argument.Key, value switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.True => "True",
                JsonValue v when v.GetValueKind() == JsonValueKind.False => "False",
                _ => ChaosToolkitDocument.Scalar(value),
            })));

    private async Task<(JsonNode Output, string? Failure)> ProcessAsync(JsonObject provider, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // As chaoslib runs it: a list (or a mapping, as key, value, …) is the argument vector, its
        // nulls and empty strings left out; a string goes through the shell after the path.
        var path = provider["path"]!.GetValue<string>();
        var argv = provider["arguments"] switch
        {
            JsonValue single when single.GetValueKind() == JsonValueKind.String => ["/bin/sh", "-c", path + " " + ChaosToolkitDocument.Scalar(single)],
            JsonArray list => [path, .. Arguments(list)],
            JsonObject mapping => [path, .. Arguments(mapping.SelectMany(pair => new[] { JsonValue.Create(pair.Key), pair.Value }))],
            JsonValue other => [path, ChaosToolkitDocument.Scalar(other)],
            _ => new List<string> { path },
        };

        var run = await _processes.RunAsync(argv, timeout, cancellationToken).ConfigureAwait(false);
        if (run.TimedOut)
        {
            // Judged like the activity's own timeout: the tree is already killed.
            throw new OperationCanceledException();
        }

        // A non-zero exit is the output's status, for the tolerance to judge, not a failed activity (as in chaoslib).
        return (new JsonObject { ["status"] = run.ExitCode, ["stdout"] = run.Stdout, ["stderr"] = run.Stderr }, null);
    }

    private static IEnumerable<string> Arguments(IEnumerable<JsonNode?> items) =>
        items.OfType<JsonNode>().Select(ChaosToolkitDocument.Scalar).Where(a => a.Length > 0);

    private static JsonObject Resolve(JsonObject? item, IReadOnlyDictionary<string, JsonObject> activities) =>
        item?["ref"]?.GetValue<string>() is { } reference
            ? activities.TryGetValue(reference, out var found) ? found : throw new InvalidOperationException($"ref '{reference}' names no activity")
            : item ?? throw new InvalidOperationException("an empty activity");

    private static TimeSpan TimeoutOf(JsonObject provider) => provider["timeout"] switch
    {
        JsonArray pair when pair.Count == 2 => TimeSpan.FromSeconds(pair.Sum(p => double.Parse(p!.ToJsonString(), CultureInfo.InvariantCulture))),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => TimeSpan.FromSeconds(double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture)),
        _ => TimeSpan.FromSeconds(30),
    };

    private async Task PauseAsync(JsonObject activity, string when, CancellationToken cancellationToken)
    {
        if (activity["pauses"]?[when] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture) is var seconds && seconds > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Releases the HTTP client the runs share.</summary>
    public void Dispose() => _http.Dispose();
}
