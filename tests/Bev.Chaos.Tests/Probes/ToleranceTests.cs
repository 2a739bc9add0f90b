using System.Text.Json.Nodes;
using Bev.Chaos.Probes;

namespace Bev.Chaos.Tests.Probes;

/// <summary>
/// Tolerances written as Chaos Toolkit's documentation writes them, judged as chaoslib's
/// <c>within_tolerance</c> judges them (chaoslib/hypothesis.py), case by case.
/// </summary>
public sealed class ToleranceTests
{
    private static readonly JsonNode Http = JsonNode.Parse("""{"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"state": "ok", "items": [{"id": 1}, {"id": 2}]}}""")!;
    private static readonly JsonNode HttpText = JsonNode.Parse("""{"status": 200, "headers": {}, "body": "service ok\n"}""")!;
    private static readonly JsonNode HttpJsonText = JsonNode.Parse("""{"status": 200, "headers": {}, "body": "{\"state\": \"ok\"}"}""")!;
    private static readonly JsonNode Process = JsonNode.Parse("""{"status": 0, "stdout": "ready 42\n", "stderr": ""}""")!;
    private static readonly JsonNode ProcessNumber = JsonNode.Parse("""{"status": 0, "stdout": "42\n", "stderr": ""}""")!;

    [Theory]
    // An integer is the output's status; a list holds it (a mapping with status: membership, never a range).
    [InlineData("200", true)]
    [InlineData("503", false)]
    [InlineData("[200, 503]", true)]
    [InlineData("[201, 299]", false)]
    // A boolean or a string equals the whole output, a mapping: never, as in chaoslib.
    [InlineData("true", false)]
    [InlineData("\"ok\"", false)]
    // range: inclusive at both ends, on the output named by target.
    [InlineData("""{"type": "range", "range": [200, 299], "target": "status"}""", true)]
    [InlineData("""{"type": "range", "range": [100, 200], "target": "status"}""", true)]
    [InlineData("""{"type": "range", "range": [500, 599], "target": "status"}""", false)]
    // jsonpath: the list of matched values against expect (a value means a list of one).
    [InlineData("""{"type": "jsonpath", "path": "$.state", "expect": "ok", "target": "body"}""", true)]
    [InlineData("""{"type": "jsonpath", "path": "$.state", "expect": ["ok"], "target": "body"}""", true)]
    [InlineData("""{"type": "jsonpath", "path": "$.state", "expect": ["ok", "ok"], "target": "body"}""", false)]
    [InlineData("""{"type": "jsonpath", "path": "$.items[*].id", "expect": [1, 2], "target": "body"}""", true)]
    [InlineData("""{"type": "jsonpath", "path": "$.items[*].id", "expect": 2, "target": "body"}""", false)]
    [InlineData("""{"type": "jsonpath", "path": "$.items[0].id", "expect": 1.0, "target": "body"}""", true)]
    // jsonpath without expect: something matched, or exactly count values; expect, when given, decides alone.
    [InlineData("""{"type": "jsonpath", "path": "$.items[?(@.id > 1)]", "count": 1, "target": "body"}""", true)]
    [InlineData("""{"type": "jsonpath", "path": "$.items[?(@.id > 1)]", "count": 2, "target": "body"}""", false)]
    [InlineData("""{"type": "jsonpath", "path": "$.state", "count": 5, "expect": "ok", "target": "body"}""", true)]
    [InlineData("""{"type": "jsonpath", "path": "$.missing", "target": "body"}""", false)]
    // jsonpath without target: the whole output.
    [InlineData("""{"type": "jsonpath", "path": "$.body.state", "expect": "ok"}""", true)]
    [InlineData("""{"type": "jsonpath", "path": "$.status", "expect": 200}""", true)]
    public void Check_HttpJsonOutput_AsChaoslib(string tolerance, bool expected) =>
        Assert.Equal(expected, Tolerance.Check(JsonNode.Parse(tolerance), Http, "http"));

    [Theory]
    // regex searches (re.search), it does not anchor at the start (re.match).
    [InlineData("""{"type": "regex", "pattern": "ok", "target": "body"}""", true)]
    [InlineData("""{"type": "regex", "pattern": "ok$", "target": "body"}""", true)]
    [InlineData("""{"type": "regex", "pattern": "^ok", "target": "body"}""", false)]
    // A regex on a mapping (no target, or a target the output lacks) finds nothing.
    [InlineData("""{"type": "regex", "pattern": "ok"}""", false)]
    [InlineData("""{"type": "regex", "pattern": "ok", "target": "nothing"}""", false)]
    public void Check_HttpTextOutput_RegexSearches(string tolerance, bool expected) =>
        Assert.Equal(expected, Tolerance.Check(JsonNode.Parse(tolerance), HttpText, "http"));

    [Fact]
    public void Check_JsonPathOnABodyThatIsJsonText_ParsesItFirst() =>
        Assert.True(Tolerance.Check(JsonNode.Parse("""{"type": "jsonpath", "path": "$.state", "expect": ["ok"], "target": "body"}"""), HttpJsonText, "http"));

    [Theory]
    [InlineData("0", true)]
    [InlineData("1", false)]
    [InlineData("[0, 1]", true)]
    [InlineData("\"ready 42\\n\"", false)]
    [InlineData("""{"type": "regex", "pattern": "ready \\d+", "target": "stdout"}""", true)]
    [InlineData("""{"type": "regex", "pattern": "^\\d+$", "target": "stdout"}""", false)]
    [InlineData("""{"type": "range", "range": [40, 45], "target": "stdout"}""", false)]
    public void Check_ProcessOutput_AsChaoslib(string tolerance, bool expected) =>
        Assert.Equal(expected, Tolerance.Check(JsonNode.Parse(tolerance), Process, "process"));

    [Theory]
    [InlineData("[40, 45]", true)]
    [InlineData("[42, 42]", true)]
    [InlineData("[43, 50]", false)]
    public void Check_RangeOnNumericStdout_ReadsTheNumberInclusive(string range, bool expected) =>
        Assert.Equal(expected, Tolerance.Check(JsonNode.Parse($$"""{"type": "range", "range": {{range}}, "target": "stdout"}"""), ProcessNumber, "process"));

    [Theory]
    // A plain value (not a mapping): a list of two is an inclusive range, any other list membership.
    [InlineData("[1, 5]", "5", true)]
    [InlineData("[1, 5]", "6", false)]
    [InlineData("[1, 2, 3]", "2", true)]
    [InlineData("[1, 2, 3]", "4", false)]
    [InlineData("true", "true", true)]
    [InlineData("\"ok\"", "\"ok\"", true)]
    [InlineData("3", "3.0", true)]
    public void Check_PlainValue_AsChaoslib(string tolerance, string value, bool expected) =>
        Assert.Equal(expected, Tolerance.Check(JsonNode.Parse(tolerance), JsonNode.Parse(value), "http"));

    [Theory]
    [InlineData("null", "tolerance: missing; allowed: a tolerance: Chaos Toolkit requires one on every steady-state probe (an integer, a string, a boolean, a list, or an object of type regex, jsonpath or range)")]
    [InlineData("1.5", "tolerance: '1.5' is not allowed; allowed: an integer, a string, a boolean, a list, or an object of type regex, jsonpath or range (Chaos Toolkit refuses a tolerance of this type)")]
    [InlineData("""{"type": "probe", "name": "check", "provider": {"type": "python", "module": "m", "func": "f"}}""", "tolerance.type: 'probe' is not allowed; allowed: regex, jsonpath or range (a probe as tolerance is not supported: it needs the python provider; use a jsonpath, regex or range tolerance on the probe's output)")]
    [InlineData("""{"type": "regex", "pattern": "ok"}""", "tolerance.target: missing; allowed: the output to search: status, headers or body (an http probe's output is a mapping; Chaos Toolkit fails a regex on it)")]
    [InlineData("""{"type": "regex", "pattern": "(", "target": "body"}""", "tolerance.pattern: '(' is not allowed")]
    [InlineData("""{"type": "range", "range": [1], "target": "status"}""", "tolerance.range: '[1]' is not allowed; allowed: two numbers, lower and upper bound (both inclusive)")]
    [InlineData("""{"type": "jsonpath", "path": " "}""", "tolerance.path: '\" \"' is not allowed; allowed: a JSONPath, e.g. $.status (a jsonpath tolerance must have a path)")]
    [InlineData("""{"type": "jsonpath", "path": "$.[", "target": "body"}""", "tolerance.path: '$.[' is not allowed; allowed: a valid JSONPath")]
    [InlineData("""{"type": "exact"}""", "tolerance.type: 'exact' is not allowed; allowed: regex, jsonpath or range")]
    public void Validate_WhatChaoslibRefuses_IsRefusedByName(string tolerance, string expected)
    {
        var errors = new List<ValidationError>();

        Tolerance.Validate(JsonNode.Parse(tolerance), "http", "tolerance", null, errors);

        Assert.StartsWith(expected, Assert.Single(errors).ToString());
    }

    [Theory]
    [InlineData("200")]
    [InlineData("[200, 201]")]
    [InlineData("true")]
    [InlineData("\"ok\"")]
    [InlineData("""{"type": "jsonpath", "path": "$.body.state", "expect": ["ok"]}""")]
    [InlineData("""{"type": "range", "range": [200, 299], "target": "status"}""")]
    public void Validate_WhatChaoslibAccepts_Passes(string tolerance)
    {
        var errors = new List<ValidationError>();

        Tolerance.Validate(JsonNode.Parse(tolerance), "http", "tolerance", null, errors);

        Assert.Empty(errors);
    }
}
