using Bev.Chaos.Probes;
using Bev.Chaos.Scenarios;

namespace Bev.Chaos.Tests.Scenarios;

public sealed class ProbeYamlTests
{
    [Fact]
    public void SteadyState_EveryProbeKindAndMode_IsRead()
    {
        const string yaml = """
            scenarios:
              - name: probes
                steady_state:
                  - { name: api, type: http, url: "http://127.0.0.1:9000/items", method: HEAD, headers: { X-Probe: "1" }, expected_status: 200-204, body_regex: "ok|fine", mode: start }
                  - { name: queue, type: command, command: [redis-cli, llen, items], expected_exit: 0, stdout_regex: "^[0-9]$", mode: end, timeout: 500ms }
                  - { name: errors, type: prometheus, url: "http://127.0.0.1:9000/metrics", metric: 'http_errors_total{code="500"}', op: "<", threshold: 5, mode: during_fault }
                  - { name: port, type: tcp, port: 6379 }
                steps:
                  - { name: w, action_type: wait, parameters: { duration: 1s } }
            """;

        var probes = Assert.Single(ScenarioLoader.Parse(yaml, "p.yaml").Scenarios).SteadyState;

        var http = probes[0];
        Assert.Equal((ProbeKind.Http, ProbeMode.Start, "HEAD", "1", 200, 204, "ok|fine"), (http.Kind, http.Mode, http.Method, http.Headers["X-Probe"], http.ExpectedStatusMin, http.ExpectedStatusMax, http.BodyRegex!.ToString()));
        var command = probes[1];
        Assert.Equal((ProbeKind.Command, ProbeMode.End, "redis-cli llen items", "^[0-9]$", TimeSpan.FromMilliseconds(500)), (command.Kind, command.Mode, string.Join(' ', command.Command), command.StdoutRegex!.ToString(), command.Timeout));
        var prometheus = probes[2];
        Assert.Equal((ProbeKind.Prometheus, ProbeMode.DuringFault, "http_errors_total{code=\"500\"}", ProbeComparison.LessThan, 5.0), (prometheus.Kind, prometheus.Mode, prometheus.Metric, prometheus.Comparison, prometheus.Threshold));
        Assert.Equal((ProbeKind.Tcp, ProbeMode.Continuous, 6379), (probes[3].Kind, probes[3].Mode, probes[3].Port));
    }

    [Fact]
    public void SteadyState_MalformedProbes_AreErrorsWithFileLineAndKey()
    {
        const string yaml = """
            scenarios:
              - name: probes
                steady_state:
                  - { name: a, type: prometheus, url: "http://127.0.0.1:9000/metrics", metric: "errors{code=500}", op: "~", threshold: 1 }
                  - { name: b, type: command, stdout_regex: "([" }
                  - { name: c, type: tcp, port: 80, url: "http://x/" }
                  - { name: d, type: http, url: "http://127.0.0.1/", expected_status: 700, mode: sometimes }
                  - { name: e, type: smoke }
                steps:
                  - { name: w, action_type: wait, parameters: { duration: 1s } }
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ScenarioLoader.Parse(yaml, "p.yaml"));
        var messages = error.Errors.Select(e => e.ToString()).ToList();

        Assert.Contains("p.yaml:4: scenarios[0].steady_state[0].metric: 'errors{code=500}' is not allowed; allowed: a metric selector: name or name{label=\"value\",…}", messages);
        Assert.Contains("p.yaml:4: scenarios[0].steady_state[0].op: '~' is not allowed; allowed: <, <=, >, >=, ==, !=", messages);
        Assert.Contains(messages, m => m.StartsWith("p.yaml:5: scenarios[0].steady_state[1].command: ", StringComparison.Ordinal) && m.EndsWith("a non-empty list: the program and its arguments (no shell)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("p.yaml:5: scenarios[0].steady_state[1].stdout_regex: '([' is not allowed; allowed: a valid regular expression", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("p.yaml:6: scenarios[0].steady_state[2].url: 'http://x/' is not allowed; allowed: no such key here", StringComparison.Ordinal));
        Assert.Contains("p.yaml:7: scenarios[0].steady_state[3].expected_status: '700' is not allowed; allowed: a status code (200) or a range (200-299) within 100-599", messages);
        Assert.Contains("p.yaml:7: scenarios[0].steady_state[3].mode: 'sometimes' is not allowed; allowed: continuous, start, end, during_fault", messages);
        Assert.Contains("p.yaml:8: scenarios[0].steady_state[4].type: 'smoke' is not allowed; allowed: http, tcp, process, command or prometheus", messages);
    }

    [Fact]
    public void SteadyState_PrometheusWithoutOpOrThreshold_IsMeasuredOnly_AndATargetMeansItsMetricsUrl()
    {
        const string yaml = """
            scenarios:
              - name: measured
                steady_state:
                  - { name: retries, type: prometheus, target: collector, metric: retries_total }
                  - { name: judged, type: prometheus, url: "http://127.0.0.1:9000/metrics", metric: errors_total, op: "<", threshold: 3 }
                steps:
                  - { name: w, action_type: wait, parameters: { duration: 1s } }
            """;
        var catalog = new Dictionary<string, Bev.Chaos.Configuration.TargetDefinition>
        {
            ["collector"] = new() { Name = "collector", Pid = 1, MetricsUrl = new Uri("http://127.0.0.1:9100/metrics") },
            ["bare"] = new() { Name = "bare", Pid = 1 },
        };

        var probes = Assert.Single(ScenarioLoader.Parse(yaml, "m.yaml").Scenarios).SteadyState;

        Assert.Equal((ProbeKind.Prometheus, true, "collector", (Uri?)null), (probes[0].Kind, probes[0].MeasureOnly, probes[0].Target, probes[0].Url));
        Assert.Equal(new Uri("http://127.0.0.1:9100/metrics"), probes[0].ForCatalog(catalog).Url);
        Assert.Null((probes[0] with { Target = "bare" }).ForCatalog(catalog).Url);
        Assert.Equal(ProbeKind.Prometheus, (probes[0] with { Target = "bare" }).ForCatalog(catalog).Kind);
        Assert.False(probes[1].MeasureOnly);
    }

    [Fact]
    public void SteadyState_PrometheusWithOpButNoThreshold_OrBothUrlAndTarget_IsAnError()
    {
        const string yaml = """
            scenarios:
              - name: probes
                steady_state:
                  - { name: a, type: prometheus, target: collector, metric: retries_total, op: ">" }
                  - { name: b, type: prometheus, target: collector, url: "http://127.0.0.1:9000/metrics", metric: retries_total }
                steps:
                  - { name: w, action_type: wait, parameters: { duration: 1s } }
            """;

        var messages = Assert.Throws<ChaosValidationException>(() => ScenarioLoader.Parse(yaml, "p.yaml")).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(messages, m => m.StartsWith("p.yaml:4: scenarios[0].steady_state[0].threshold: ", StringComparison.Ordinal) && m.EndsWith("a number to compare the metric with (or neither op nor threshold, to only measure the metric)", StringComparison.Ordinal));
        Assert.Contains("p.yaml:5: scenarios[0].steady_state[1].target: 'collector' is not allowed; allowed: url or target, not both (target means the target's catalog metrics_url)", messages);
    }

    [Fact]
    public void PrometheusText_SumsTheSamplesASelectorMatches()
    {
        const string exposition = """
            # HELP http_requests_total Requests.
            # TYPE http_requests_total counter
            http_requests_total{code="200",path="/a"} 10
            http_requests_total{code="500",path="/a"} 2
            http_requests_total{code="500",path="/b \"quoted\""} 3 1700000000000
            queue_depth 4.5e1
            temperature{room="lab"} +Inf
            """;

        Assert.Equal(15, PrometheusText.Evaluate(exposition, "http_requests_total"));
        Assert.Equal(5, PrometheusText.Evaluate(exposition, "http_requests_total{code=\"500\"}"));
        Assert.Equal(3, PrometheusText.Evaluate(exposition, "http_requests_total{path=\"/b \\\"quoted\\\"\"}"));
        Assert.Equal(45, PrometheusText.Evaluate(exposition, "queue_depth"));
        Assert.Equal(double.PositiveInfinity, PrometheusText.Evaluate(exposition, "temperature"));
        Assert.Null(PrometheusText.Evaluate(exposition, "http_requests_total{code=\"404\"}"));
        Assert.Throws<FormatException>(() => PrometheusText.Evaluate("broken{x=1} 2", "broken"));
    }
}
