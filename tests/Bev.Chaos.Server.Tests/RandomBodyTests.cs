using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Bev.Chaos.Configuration;
using Bev.Chaos.Scenarios;
using Bev.Chaos.TestSupport;
using CsCheck;

namespace Bev.Chaos.Server.Tests;

/// <summary>Property: random and malformed bodies at POST /faults and /experiments get a 4xx, never a 5xx, and leave no fault.</summary>
public sealed class RandomBodyTests : IAsyncLifetime
{
    private static readonly string[] Keys = ["injector_name", "target_service", "profile_name", "parameters", "duration_seconds", "name", "scenario", "fault_injections", "safety_level", "x"];
    private static readonly string[] Strings = ["cpu_stress", "service_pause", "disk_fill", "pid:1", "pid:-3", "name:", "", "💥", "network_delay_light", "basic_resilience", "../../etc", "critical"];
    private ServerUnderTest _running = null!;

    public async ValueTask InitializeAsync()
    {
        _running = await ServerUnderTest.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _running.DisposeAsync();
    }

    [Theory]
    [InlineData("/faults")]
    [InlineData("/experiments")]
    public async Task RandomBodies_AreAlways4xx_AndApplyNothing(string path)
    {
        await Gen.Int[0, int.MaxValue].SampleAsync(async seed =>
        {
            var body = Body(new Random(seed));
            using var response = await _running.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode} for {body}");
        }, iter: 300, threads: 1);

        Assert.Empty(await _running.Engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
        Assert.Empty(_running.Engine.Engineer.Running);
    }

    private static string Body(Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                return new string(Enumerable.Range(0, random.Next(0, 40)).Select(_ => (char)random.Next(32, 127)).ToArray());
            case 1:
                var json = Value(random, 3)?.ToJsonString() ?? "null";
                return json.Length > 2 ? json[..random.Next(1, json.Length)] : json;
            default:
                var o = new JsonObject();
                for (var i = random.Next(0, 6); i > 0; i--)
                {
                    o[Keys[random.Next(Keys.Length)]] = Value(random, 2);
                }

                return o.ToJsonString();
        }
    }

    private static JsonNode? Value(Random random, int depth) => random.Next(depth > 0 ? 8 : 6) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(random.Next(-1000, 100000)),
        3 => JsonValue.Create(random.NextDouble() * 1e6 - 100),
        4 or 5 => JsonValue.Create(Strings[random.Next(Strings.Length)]),
        6 => new JsonArray(Enumerable.Range(0, random.Next(3)).Select(_ => Value(random, depth - 1)).ToArray()),
        _ => new JsonObject(Enumerable.Range(0, random.Next(3)).Select(_ => KeyValuePair.Create(Keys[random.Next(Keys.Length)] + random.Next(3), Value(random, depth - 1)))
            .GroupBy(p => p.Key).Select(g => g.First())),
    };
}
