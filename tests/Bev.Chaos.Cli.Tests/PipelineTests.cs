using System.Globalization;
using System.Net;
using Bev.Chaos.TestSupport;
using Microsoft.Data.Sqlite;

namespace Bev.Chaos.Cli.Tests;

/// <summary>
/// The demo's OSINT pipeline for real: collector → analyzer → processor as three processes over the
/// in-process queue the demo falls back to without redis-server; items end in SQLite, each stage's
/// health is its queue's.
/// </summary>
public sealed class PipelineTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly List<TestProcess> _stages = [];

    public void Dispose()
    {
        _stages.ForEach(s => s.Dispose());
        _data.Dispose();
    }

    [Fact]
    public async Task ItemsFlowThroughTheStandInQueueIntoSqlite_AndHealthFollowsTheQueue()
    {
        // The kernel chooses the queue's port as it binds: no window for another socket to take it.
        var queue = new InProcessQueue(0);
        var queuePort = queue.Port;
        var database = Path.Combine(_data.Path, "osint.db");
        var analyzerPort = LoopbackPort.Free();
        Stage(LoopbackPort.Free(), "--role", "collector", "--queue", $"127.0.0.1:{queuePort}", "--out", "collected", "--rate", "50");
        Stage(analyzerPort, "--role", "analyzer", "--queue", $"127.0.0.1:{queuePort}", "--in", "collected", "--out", "scored");
        Stage(LoopbackPort.Free(), "--role", "processor", "--queue", $"127.0.0.1:{queuePort}", "--in", "scored", "--db", database);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };

        await Poll.UntilAsync(() => Stored(database) >= 20, TimeSpan.FromSeconds(30), "20 analyzed items stored by the processor");
        var health = await http.GetStringAsync($"http://127.0.0.1:{analyzerPort}/health", TestContext.Current.CancellationToken);
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{analyzerPort}/metrics", TestContext.Current.CancellationToken);

        Assert.Equal($"ok; queue 127.0.0.1:{queuePort} answered PONG", health);
        Assert.Matches(@"sample_pipeline_items_total\{stage=""analyzer""\} [1-9]\d*", metrics);
        await queue.DisposeAsync();
        await Poll.UntilAsync(async () => (await http.GetAsync($"http://127.0.0.1:{analyzerPort}/health", TestContext.Current.CancellationToken)).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(10), "the analyzer unhealthy without its queue");
    }

    private void Stage(int port, params string[] role) =>
        _stages.Add(TestProcess.Start(Path.Combine(AppContext.BaseDirectory, "Bev.Chaos.SampleService"), ["--port", port.ToString(CultureInfo.InvariantCulture), .. role]));

    private static long Stored(string database)
    {
        if (!File.Exists(database))
        {
            return 0;
        }

        // The processor may be creating the file this moment: unreadable yet is not stored yet.
        try
        {
            using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM items WHERE score > 0";
            return (long)count.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0;
        }
    }
}
