using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Cli.Tests.Commands;

/// <summary>Chaos Toolkit experiments through `bev-chaos run`: journal statuses and exit codes.</summary>
public sealed class ChaosToolkitRunTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    private async Task<(int Exit, JsonElement Journal)> RunAsync(string experiment)
    {
        var reports = Path.Combine(_dir.Path, "out-" + Guid.NewGuid().ToString("N")[..6]);
        var result = await CliRunner.RunAsync(_dir.Path, TimeSpan.FromSeconds(60), "run", experiment, "--report", reports);
        var journal = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(reports, "journal.json"), TestContext.Current.CancellationToken)).RootElement;
        return (result.ExitCode, journal);
    }

    [Fact]
    public async Task Experiment_ThatHolds_CompletesWithExitZero()
    {
        using var server = new LoopbackHttpServer();
        var experiment = Write("holds.json", $$"""
            {
              "version": "1.0.0",
              "title": "the service answers while we poke it",
              "configuration": { "base_url": { "type": "env", "key": "BEV_TEST_UNSET_URL", "default": "http://127.0.0.1:{{server.Port}}" } },
              "steady-state-hypothesis": {
                "title": "service healthy",
                "probes": [
                  { "type": "probe", "name": "port-open", "tolerance": { "type": "range", "range": [200, 299], "target": "status" },
                    "provider": { "type": "http", "url": "${base_url}/health", "timeout": 2 } },
                  { "type": "probe", "name": "body-ok", "tolerance": { "type": "regex", "pattern": "^ok$", "target": "body" },
                    "provider": { "type": "http", "url": "${base_url}/health" } }
                ]
              },
              "method": [
                { "type": "action", "name": "poke", "provider": { "type": "process", "path": "/bin/true" }, "pauses": { "after": 0.2 } },
                { "ref": "port-open" }
              ]
            }
            """);

        var (exit, journal) = await RunAsync(experiment);

        Assert.Equal(0, exit);
        Assert.Equal("completed", journal.GetProperty("status").GetString());
        Assert.False(journal.GetProperty("deviated").GetBoolean());
        Assert.True(journal.GetProperty("steady_states").GetProperty("before").GetProperty("steady_state_met").GetBoolean());
        Assert.True(journal.GetProperty("steady_states").GetProperty("after").GetProperty("steady_state_met").GetBoolean());
        Assert.Equal(2, journal.GetProperty("run").GetArrayLength());
        Assert.Equal($"http://127.0.0.1:{server.Port}/health", journal.GetProperty("experiment").GetProperty("steady-state-hypothesis").GetProperty("probes")[0].GetProperty("provider").GetProperty("url").GetString());
        Assert.True(server.Requests >= 4);
    }

    [Fact]
    public async Task Experiment_ThatDeviates_ExitsOneWithDeviatedJournal()
    {
        var marker = Write("alive.flag", "x");
        var experiment = Write("deviates.yaml", $"""
            version: 1.0.0
            title: the flag file survives its removal
            steady-state-hypothesis:
              title: flag exists
              probes:
                - type: probe
                  name: flag-exists
                  tolerance: 0
                  provider: {"{"} type: process, path: /usr/bin/test, arguments: "-f {marker}" {"}"}
            method:
              - type: action
                name: remove-flag
                provider: {"{"} type: process, path: /bin/rm, arguments: "{marker}" {"}"}
            """);

        var (exit, journal) = await RunAsync(experiment);

        Assert.Equal(1, exit);
        Assert.Equal("completed", journal.GetProperty("status").GetString());
        Assert.True(journal.GetProperty("deviated").GetBoolean());
        Assert.False(journal.GetProperty("steady_states").GetProperty("after").GetProperty("steady_state_met").GetBoolean());
    }

    [Fact]
    public async Task Experiment_WhoseActionFails_RecordsItAndGoesOn_AndStillRollsBack_AsChaosToolkitDoes()
    {
        var ran = Path.Combine(_dir.Path, "ran");
        var rolledBack = Path.Combine(_dir.Path, "rolled-back");
        var experiment = Write("fails.json", $$"""
            {
              "title": "an action that passes its timeout",
              "method": [
                { "type": "action", "name": "slow", "provider": { "type": "process", "path": "/bin/sleep", "arguments": ["5"], "timeout": 0.3 } },
                { "type": "action", "name": "next", "provider": { "type": "process", "path": "touch", "arguments": ["{{ran}}"] } }
              ],
              "rollbacks": [
                { "type": "action", "name": "undo", "provider": { "type": "process", "path": "/usr/bin/touch", "arguments": ["{{rolledBack}}"] } }
              ]
            }
            """);

        var (exit, journal) = await RunAsync(experiment);

        // chaoslib records the failed activity and goes on; nothing deviated, so the run completed.
        Assert.Equal(0, exit);
        Assert.Equal("completed", journal.GetProperty("status").GetString());
        var run = journal.GetProperty("run");
        Assert.Equal(2, run.GetArrayLength());
        Assert.Equal("failed", run[0].GetProperty("status").GetString());
        Assert.Equal("process activity took too long to complete", run[0].GetProperty("exception")[0].GetString());
        Assert.Equal("succeeded", run[1].GetProperty("status").GetString());
        Assert.True(File.Exists(ran), "the method went on after the failed action (touch found on PATH)");
        Assert.Equal("succeeded", journal.GetProperty("rollbacks")[0].GetProperty("status").GetString());
        Assert.True(File.Exists(rolledBack));
    }

    [Fact]
    public async Task Experiment_EveryToleranceForm_JudgedAsChaoslibJudgesIt()
    {
        using var server = new LoopbackHttpServer("""{"status": "ok", "items": [{"id": 1}, {"id": 2}, {"id": 3}]}""", "application/json");
        var url = $"http://127.0.0.1:{server.Port}/items";
        var experiment = Write("forms.json", $$"""
            {
              "title": "one probe per tolerance form",
              "steady-state-hypothesis": {
                "title": "each form holds",
                "probes": [
                  { "type": "probe", "name": "exit-status", "tolerance": 1, "provider": { "type": "process", "path": "/bin/false" } },
                  { "type": "probe", "name": "status-in-list", "tolerance": [0, 1], "provider": { "type": "process", "path": "/bin/false" } },
                  { "type": "probe", "name": "http-status-list", "tolerance": [200, 204], "provider": { "type": "http", "url": "{{url}}" } },
                  { "type": "probe", "name": "range", "tolerance": { "type": "range", "range": [1, 3], "target": "stdout" },
                    "provider": { "type": "process", "path": "/bin/echo", "arguments": ["2"] } },
                  { "type": "probe", "name": "regex-search-through-the-shell", "tolerance": { "type": "regex", "pattern": "TWO", "target": "stdout" },
                    "provider": { "type": "process", "path": "/bin/echo", "arguments": "one two | tr a-z A-Z" } },
                  { "type": "probe", "name": "mapping-arguments", "tolerance": { "type": "regex", "pattern": "^a-b$", "target": "stdout" },
                    "provider": { "type": "process", "path": "/usr/bin/printf", "arguments": { "%s-%s": "a", "b": null } } },
                  { "type": "probe", "name": "jsonpath-single-value", "tolerance": { "type": "jsonpath", "path": "$.body.items[0].id", "expect": 1 },
                    "provider": { "type": "http", "url": "{{url}}" } },
                  { "type": "probe", "name": "jsonpath-list", "tolerance": { "type": "jsonpath", "path": "$.body.status", "expect": ["ok"] },
                    "provider": { "type": "http", "url": "{{url}}" } },
                  { "type": "probe", "name": "jsonpath-count", "tolerance": { "type": "jsonpath", "path": "$.body.items[?(@.id > 1)]", "count": 2 },
                    "provider": { "type": "http", "url": "{{url}}" } }
                ]
              },
              "method": [ { "ref": "exit-status" } ]
            }
            """);

        var (exit, journal) = await RunAsync(experiment);

        var before = journal.GetProperty("steady_states").GetProperty("before");
        var unmet = before.GetProperty("probes").EnumerateArray().Where(p => !p.GetProperty("tolerance_met").GetBoolean()).Select(p => p.GetProperty("activity").GetProperty("name").GetString());
        Assert.Empty(unmet);
        Assert.Equal(9, before.GetProperty("probes").GetArrayLength());
        Assert.Equal(0, exit);
        Assert.False(journal.GetProperty("deviated").GetBoolean());
    }

    [Fact]
    public async Task Experiment_TolerancesThatChaoslibWouldNotMeet_FailTheHypothesisBefore()
    {
        // A bool against an http output (a mapping) never holds in chaoslib (Python ==); nor does a
        // single jsonpath expect against two matches (compared as [2] with [1, 2]).
        using var server = new LoopbackHttpServer("""{"items": [{"id": 1}, {"id": 2}]}""", "application/json");
        var url = $"http://127.0.0.1:{server.Port}/items";
        var experiment = Write("unmet.json", $$"""
            {
              "title": "forms that do not hold",
              "steady-state-hypothesis": {
                "title": "never holds",
                "probes": [
                  { "type": "probe", "name": "bool-on-a-mapping", "tolerance": true, "provider": { "type": "http", "url": "{{url}}" } },
                  { "type": "probe", "name": "one-value-two-matches", "tolerance": { "type": "jsonpath", "path": "$.body.items[*].id", "expect": 2 }, "provider": { "type": "http", "url": "{{url}}" } }
                ]
              },
              "method": [ { "type": "action", "name": "never", "provider": { "type": "process", "path": "/bin/true" } } ]
            }
            """);

        var (exit, journal) = await RunAsync(experiment);

        Assert.Equal(1, exit);
        Assert.Equal("failed", journal.GetProperty("status").GetString());
        Assert.All(journal.GetProperty("steady_states").GetProperty("before").GetProperty("probes").EnumerateArray(), p => Assert.False(p.GetProperty("tolerance_met").GetBoolean()));
        Assert.Equal(0, journal.GetProperty("run").GetArrayLength());
    }

    [Fact]
    public async Task Experiment_UnsupportedProvider_IsInvalidInput()
    {
        var experiment = Write("python.json", """
            { "title": "python provider", "method": [ { "type": "action", "name": "x", "provider": { "type": "python", "module": "os", "func": "getcwd" } } ] }
            """);

        var result = await CliRunner.RunAsync(_dir.Path, TimeSpan.FromSeconds(30), "run", experiment);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("method[0].provider.type: 'python' is not allowed; allowed: http or process (the python provider runs Python functions, which BEV Chaos does not", result.Stderr);
    }

    [Fact]
    public async Task Experiment_JsonPathExpectingAList_HoldsAsInChaosToolkit()
    {
        // chaoslib compares the list of matched values with the list: ["ok"] == ["ok"].
        var experiment = Write("jsonpath.json", """
            {
              "title": "the status reads ok",
              "steady-state-hypothesis": {
                "title": "status ok",
                "probes": [
                  { "type": "probe", "name": "status-ok",
                    "tolerance": { "type": "jsonpath", "path": "$.status", "expect": ["ok"], "target": "stdout" },
                    "provider": { "type": "process", "path": "/bin/echo", "arguments": ["{\"status\": \"ok\"}"] } }
                ]
              },
              "method": [ { "type": "action", "name": "noop", "provider": { "type": "process", "path": "/bin/true" } } ]
            }
            """);

        var (exit, journal) = await RunAsync(experiment);

        Assert.Equal(0, exit);
        Assert.True(journal.GetProperty("steady_states").GetProperty("before").GetProperty("steady_state_met").GetBoolean());
        Assert.True(journal.GetProperty("steady_states").GetProperty("after").GetProperty("probes")[0].GetProperty("tolerance_met").GetBoolean());
    }

    [Fact]
    public async Task Experiment_HttpProvider_SendsMethodHeadersAndArgumentsAsChaoslib_AndKeepsItsDataInTheJournal()
    {
        using var server = new LoopbackHttpServer("""{"state": "ok"}""", "application/json");
        var experiment = Write("http.json", $$"""
            {
              "version": "1.0.0",
              "title": "http provider options",
              "description": "as Chaos Toolkit's documentation writes them",
              "tags": ["http", "kind:provider"],
              "contributions": { "reliability": "high" },
              "extensions": [ { "name": "team", "owner": "osint" } ],
              "method": [
                { "type": "probe", "name": "query", "provider": { "type": "http", "url": "http://127.0.0.1:{{server.Port}}/q", "arguments": { "service": "web server", "n": 2 } } },
                { "type": "action", "name": "json", "provider": { "type": "http", "method": "post", "url": "http://127.0.0.1:{{server.Port}}/inject",
                  "headers": { "Content-Type": "application/json", "X-Chaos": "on" }, "arguments": { "delay_ms": 150, "hosts": ["a", "b"] }, "timeout": [1, 2] } },
                { "type": "action", "name": "form", "provider": { "type": "http", "method": "PUT", "url": "http://127.0.0.1:{{server.Port}}/form",
                  "arguments": { "enabled": true, "hosts": ["a", "b"], "skip": null } } }
              ]
            }
            """);

        var (exit, journal) = await RunAsync(experiment);

        Assert.Equal(0, exit);
        Assert.Equal("completed", journal.GetProperty("status").GetString());
        var seen = server.Seen.ToArray();
        Assert.Equal(3, seen.Length);

        // GET: the arguments in the query string (requests' params=).
        Assert.StartsWith("GET /q?service=web+server&n=2 HTTP/1.1", seen[0].Head, StringComparison.Ordinal);
        Assert.Equal("", seen[0].Body);

        // Content-Type: application/json: the arguments as a JSON body (json=), the headers as given.
        Assert.StartsWith("POST /inject HTTP/1.1", seen[1].Head, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Chaos: on", seen[1].Head, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/json\r\n", seen[1].Head, StringComparison.Ordinal);
        Assert.Equal("""{"delay_ms":150,"hosts":["a","b"]}""", seen[1].Body);

        // Any other body form-encoded (data=): a list one field per item, True as Python writes it, a null left out.
        Assert.StartsWith("PUT /form HTTP/1.1", seen[2].Head, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/x-www-form-urlencoded", seen[2].Head, StringComparison.Ordinal);
        Assert.Equal("enabled=True&hosts=a&hosts=b", seen[2].Body);

        // The output as chaoslib gives it, and the experiment's data copied into the journal.
        var output = journal.GetProperty("run")[1].GetProperty("output");
        Assert.Equal((200, "ok"), (output.GetProperty("status").GetInt32(), output.GetProperty("body").GetProperty("state").GetString()));
        var copied = journal.GetProperty("experiment");
        Assert.Equal(["http", "kind:provider"], copied.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("osint", copied.GetProperty("extensions")[0].GetProperty("owner").GetString());
        Assert.Equal("high", copied.GetProperty("contributions").GetProperty("reliability").GetString());
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("[0.2, 0.3]")]
    public async Task Experiment_HttpProviderTimeout_FailsTheActivityWhenItPasses(string timeout)
    {
        // A listener that never answers: the connection is made (the kernel's backlog), no reply comes.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var experiment = Write("timeout.json", $$"""
            { "title": "a slow endpoint", "method": [ { "type": "action", "name": "slow", "provider": { "type": "http", "url": "http://127.0.0.1:{{port}}/", "timeout": {{timeout}} } } ] }
            """);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (exit, journal) = await RunAsync(experiment);

        // The activity failed, in chaoslib's words; the run goes on and completes (no hypothesis to deviate).
        Assert.Equal(0, exit);
        Assert.Equal("completed", journal.GetProperty("status").GetString());
        var run = journal.GetProperty("run")[0];
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal("activity took too long to complete", run.GetProperty("exception")[0].GetString());
        Assert.InRange(run.GetProperty("duration").GetDouble(), 0.45, 5);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Experiment_HttpProviderMaxRetries_RetriesAConnectionThatFails()
    {
        using var refusing = new RefusingPort();
        var experiment = Write("retries.json", $$"""
            { "title": "nothing listens", "method": [ { "type": "action", "name": "down", "provider": { "type": "http", "url": "http://127.0.0.1:{{refusing.Port}}/", "max_retries": 2 } } ] }
            """);

        var (exit, journal) = await RunAsync(experiment);

        Assert.Equal((0, "failed"), (exit, journal.GetProperty("run")[0].GetProperty("status").GetString()));
        Assert.StartsWith($"failed to connect to http://127.0.0.1:{refusing.Port}/ (3 attempts)", journal.GetProperty("run")[0].GetProperty("exception")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"verify_tls\": false", "method[0].provider.verify_tls: 'false' is not allowed; allowed: true or absent (TLS certificates are always verified)")]
    [InlineData("\"max_retries\": 50", "method[0].provider.max_retries: '50' is not allowed; allowed: a whole number from 0 to 10")]
    [InlineData("\"expected_status\": 200", "method[0].provider.expected_status: '200' is not allowed; allowed: an option this provider has here: type, url, method, headers, arguments, timeout, verify_tls, max_retries")]
    public async Task Experiment_HttpProviderOptionNotImplemented_IsRefusedByName(string option, string expected)
    {
        var experiment = Write("option.json", $$"""
            { "title": "an option", "method": [ { "type": "action", "name": "a", "provider": { "type": "http", "url": "http://127.0.0.1:9/", {{option}} } } ] }
            """);

        var result = await CliRunner.RunAsync(_dir.Path, TimeSpan.FromSeconds(30), "run", experiment, "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }

    [Theory]
    [InlineData("controls", "\"controls\": [ { \"name\": \"tracing\", \"provider\": { \"type\": \"python\", \"module\": \"chaostracing.control\" } } ],", "controls: '[{\"name\":\"tracing\",\"provider\":{\"type\":\"python\",\"module\":\"ch…' is not allowed; allowed: no controls (Chaos Toolkit controls are Python modules, which BEV Chaos does not run)")]
    [InlineData("secrets", "\"secrets\": { \"k8s\": { \"token\": { \"type\": \"env\", \"key\": \"TOKEN\" } } },", "is not allowed; allowed: no secrets (not supported")]
    [InlineData("runtime", "\"runtime\": { \"rollbacks\": { \"strategy\": \"deviated\" } },", "runtime: '{\"rollbacks\":{\"strategy\":\"deviated\"}}' is not allowed; allowed: no runtime block (strategies are not supported")]
    [InlineData("vault", "\"configuration\": { \"token\": { \"type\": \"vault\", \"path\": \"secret/x\" } },", "configuration.token.type: 'vault' is not allowed; allowed: env (a value from an environment variable), or write the value inline")]
    public async Task Experiment_UnsupportedFeature_IsRefusedByName(string name, string block, string expected)
    {
        var experiment = Write(name + ".json", $$"""
            {
              "title": "uses {{name}}",
              {{block}}
              "method": [ { "type": "action", "name": "noop", "provider": { "type": "process", "path": "/bin/true" } } ]
            }
            """);

        var result = await CliRunner.RunAsync(_dir.Path, TimeSpan.FromSeconds(30), "run", experiment, "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }

    [Theory]
    [InlineData("background", "\"background\": true,", "method[0].background: 'true' is not allowed; allowed: false or absent (background activities are not supported: activities run one after another)")]
    [InlineData("activity-controls", "\"controls\": [ { \"name\": \"tracing\", \"provider\": { \"type\": \"python\", \"module\": \"chaostracing.control\" } } ],", "is not allowed; allowed: no controls")]
    public async Task Experiment_UnsupportedActivityFeature_IsRefusedWhereItIs(string name, string field, string expected)
    {
        var experiment = Write(name + ".json", $$"""
            {
              "title": "uses {{name}}",
              "method": [ { "type": "action", "name": "noop", {{field}} "provider": { "type": "process", "path": "/bin/true" } } ]
            }
            """);

        var result = await CliRunner.RunAsync(_dir.Path, TimeSpan.FromSeconds(30), "run", experiment, "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }
}
