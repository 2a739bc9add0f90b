using System.Net;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Configuration;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Server.Tests;

/// <summary>
/// A network fault's view says which mechanism carries it and why: the proxy where the target has
/// proxied dependencies, the kernel otherwise, the one asked for, or the only one the type has.
/// </summary>
public sealed class FaultMechanismViewTests
{
    [Fact]
    public async Task NetworkFaults_TheirViewSaysWhichMechanismActsAndWhy()
    {
        Requires.Root();
        Requires.Program("nft");
        using var target = TestProcess.Sleeper();
        using var upstream = new LoopbackHttpServer();
        var configuration = new ChaosConfiguration
        {
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["web"] = new() { Name = "web", Pid = target.Pid, Proxies = new Dictionary<string, ProxyRoute> { ["api"] = new($"127.0.0.1:{LoopbackPort.Free()}", $"127.0.0.1:{upstream.Port}") } },
            },
        };
        await using var server = await ServerUnderTest.StartAsync(configuration);

        var proxied = await ViewAsync(server, """{"injector_name":"network_delay","target_service":"web","duration_seconds":30,"parameters":{"delay_ms":50}}""");
        var asked = await ViewAsync(server, """{"injector_name":"network_partition","target_service":"web","duration_seconds":30,"parameters":{"mechanism":"proxy"}}""");
        var port = LoopbackPort.Free();
        var only = await ViewAsync(server, $$$"""{"injector_name":"packet_loss","target_service":"pid:{{{target.Pid}}}","duration_seconds":30,"parameters":{"port":{{{port}}},"loss_percent":5}}""");
        var none = await ViewAsync(server, $$"""{"injector_name":"service_pause","target_service":"pid:{{target.Pid}}","duration_seconds":30}""");

        Assert.Equal(("proxy", "the target has proxied dependencies in the catalog: their proxy carries the fault (mechanism: kernel acts in its network namespace instead)"), proxied);
        Assert.Equal(("proxy", "asked for (parameters.mechanism)"), asked);
        Assert.Equal(("kernel", "the only mechanism of packet_loss"), only);
        Assert.Equal(((string?)null, (string?)null), none);
        using var stop = await server.Http.PostAsync("/emergency-stop", null, TestContext.Current.CancellationToken);
        Assert.True(stop.IsSuccessStatusCode);
        using var release = await server.Http.DeleteAsync("/emergency-stop", TestContext.Current.CancellationToken);
    }

    private static async Task<(string? Mechanism, string? Reason)> ViewAsync(ServerUnderTest server, string body)
    {
        using var created = await server.Http.PostAsync("/faults", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var answer = JsonDocument.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.True(created.StatusCode == HttpStatusCode.Created, answer.ToString());
        var view = JsonDocument.Parse(await server.Http.GetStringAsync($"/faults/{answer.GetProperty("fault_id").GetString()}", TestContext.Current.CancellationToken)).RootElement;
        return (view.GetProperty("mechanism").GetString(), view.GetProperty("mechanism_reason").GetString());
    }
}
