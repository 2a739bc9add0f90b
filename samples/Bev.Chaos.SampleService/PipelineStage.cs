using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Bev.Chaos.SampleService;

/// <summary>
/// One stage of the demo's OSINT pipeline over a Redis queue: the collector produces items at a
/// steady rate, the analyzer scores them and passes them on, the processor stores them in SQLite.
/// Its health is its queue's: <c>/health</c> PINGs the queue (through the fault proxy when the
/// stage is wired through one), so a slow or cut queue shows where users look.
/// </summary>
internal sealed class PipelineStage : IDisposable
{
    private readonly string _role;
    private readonly RespClient _work;
    private readonly string _queueHost;
    private readonly int _queuePort;
    private readonly string? _in;
    private readonly string? _out;
    private readonly double _rate;
    private readonly SqliteConnection? _db;
    private readonly TriageClient? _triage;
    private long _items;
    private long _errors;

    public PipelineStage(string role, string queue, string? input, string? output, double rate, string? database, Uri? triage = null)
    {
        _role = role;
        _triage = triage is null ? null : new TriageClient(triage);
        var (host, port) = (queue[..queue.LastIndexOf(':')], int.Parse(queue[(queue.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));
        _work = new RespClient(host, port);
        (_queueHost, _queuePort) = (host, port);
        _in = input;
        _out = output;
        _rate = rate;
        if (database is not null)
        {
            _db = new SqliteConnection($"Data Source={database};Pooling=False");
            _db.Open();
            using var create = _db.CreateCommand();
            create.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS items (id INTEGER, source TEXT, score REAL, stored_at TEXT)";
            create.ExecuteNonQuery();
        }
    }

    public string Role => _role;

    // A fresh connection per check, as a health endpoint behind a load balancer sees it: checks
    // run side by side, and each pays the queue's real connect and round trip.
    public async Task<(bool Healthy, string Detail)> CheckHealthAsync()
    {
        using var probe = new RespClient(_queueHost, _queuePort);
        try
        {
            var pong = await probe.SendAsync(TimeSpan.FromSeconds(1), "PING").ConfigureAwait(false);
            return (pong as string == "PONG", $"ok; queue {probe.Address} answered {pong}");
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return (false, $"queue {probe.Address} unreachable: {ex.Message}");
        }
    }

    public string Metrics() =>
        $"# HELP sample_pipeline_items_total Items this stage handled.\n# TYPE sample_pipeline_items_total counter\nsample_pipeline_items_total{{stage=\"{_role}\"}} {Interlocked.Read(ref _items)}\n" +
        $"# HELP sample_pipeline_queue_errors_total Failed queue operations.\n# TYPE sample_pipeline_queue_errors_total counter\nsample_pipeline_queue_errors_total{{stage=\"{_role}\"}} {Interlocked.Read(ref _errors)}\n" +
        (_triage?.Metrics() ?? string.Empty);

    /// <summary>The analyzer's triage answer for one source: its priority, 1 (highest) to 5.</summary>
    public static string Triage(string source) =>
        $"{{\"source\":{System.Text.Json.JsonSerializer.Serialize(source)},\"priority\":{source.Sum(c => c) % 5 + 1}}}";

    public async Task RunAsync()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                switch (_role)
                {
                    case "collector":
                        var next = Interlocked.Read(ref _items);
                        var due = started + (long)(next / _rate * System.Diagnostics.Stopwatch.Frequency);
                        var wait = due - System.Diagnostics.Stopwatch.GetTimestamp();
                        if (wait > 0)
                        {
                            await Task.Delay(TimeSpan.FromSeconds((double)wait / System.Diagnostics.Stopwatch.Frequency)).ConfigureAwait(false);
                        }

                        var item = new JsonObject { ["id"] = next + 1, ["source"] = $"feed-{next % 7}", ["text"] = $"indicator {Guid.NewGuid():N}" };
                        if (_triage is not null)
                        {
                            // Asked of the analyzer's HTTP API with retries; untriaged (null) when it keeps failing.
                            item["priority"] = await _triage.PriorityAsync($"feed-{next % 7}").ConfigureAwait(false);
                        }

                        await _work.SendAsync(TimeSpan.FromSeconds(2), "LPUSH", _out!, item.ToJsonString()).ConfigureAwait(false);
                        Interlocked.Increment(ref _items);
                        break;
                    default:
                        if (await _work.SendAsync(TimeSpan.FromSeconds(2), "RPOP", _in!).ConfigureAwait(false) is not string text)
                        {
                            await Task.Delay(20).ConfigureAwait(false);
                            break;
                        }

                        var received = JsonNode.Parse(text)!.AsObject();
                        if (_role == "analyzer")
                        {
                            received["score"] = Math.Round((received["text"]!.GetValue<string>().GetHashCode(StringComparison.Ordinal) & 0xffff) / 655.35, 2);
                            await _work.SendAsync(TimeSpan.FromSeconds(2), "LPUSH", _out!, received.ToJsonString()).ConfigureAwait(false);
                        }
                        else
                        {
                            Store(received);
                        }

                        Interlocked.Increment(ref _items);
                        break;
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                // The queue is slow, cut or gone (the fault under test): count it, back off, retry.
                Interlocked.Increment(ref _errors);
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    private void Store(JsonObject item)
    {
        using var insert = _db!.CreateCommand();
        insert.CommandText = "INSERT INTO items (id, source, score, stored_at) VALUES ($id, $source, $score, $at)";
        insert.Parameters.AddWithValue("$id", item["id"]!.GetValue<long>());
        insert.Parameters.AddWithValue("$source", item["source"]!.GetValue<string>());
        insert.Parameters.AddWithValue("$score", item["score"]?.GetValue<double>() ?? 0);
        insert.Parameters.AddWithValue("$at", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        insert.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _work.Dispose();
        _db?.Dispose();
        _triage?.Dispose();
    }
}
