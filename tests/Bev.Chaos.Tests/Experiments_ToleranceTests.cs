using System.Text.Json.Nodes;
using Bev.Chaos.Experiments.ChaosToolkit;

namespace Bev.Chaos.Tests;

public sealed class ToleranceTests
{
    private static readonly JsonNode Http = JsonNode.Parse("""{"status": 200, "body": {"state": "ok", "items": [{"id": 1}, {"id": 2}]}}""")!;
    private static readonly JsonNode Process = JsonNode.Parse("""{"status": 0, "stdout": "ready 42\n"}""")!;

    [Theory]
    [InlineData("200", true)]
    [InlineData("503", false)]
    [InlineData("[200, 503]", true)]
    [InlineData("""{"type": "range", "range": [200, 299]}""", true)]
    [InlineData("""{"type": "range", "range": [500, 599], "target": "status"}""", false)]
    [InlineData("""{"type": "regex", "pattern": "\"state\":\"ok\""}""", true)]
    [InlineData("""{"type": "jsonpath", "path": "$.state", "expect": "ok"}""", true)]
    [InlineData("""{"type": "jsonpath", "path": "$.items[*].id", "expect": 2}""", true)]
    [InlineData("""{"type": "jsonpath", "path": "$.items[0].id", "expect": 2}""", false)]
    [InlineData("""{"type": "jsonpath", "path": "$.missing"}""", false)]
    public void Check_HttpOutput(string tolerance, bool expected) =>
        Assert.Equal(expected, Tolerance.Check(JsonNode.Parse(tolerance), Http, "http"));

    [Theory]
    [InlineData("0", true)]
    [InlineData("1", false)]
    [InlineData("\"ready 42\"", true)]
    [InlineData("""{"type": "regex", "pattern": "ready \\d+"}""", true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Check_ProcessOutput(string tolerance, bool expected) =>
        Assert.Equal(expected, Tolerance.Check(JsonNode.Parse(tolerance), Process, "process"));
}
