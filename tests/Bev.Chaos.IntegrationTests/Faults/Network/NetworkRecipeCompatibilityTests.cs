using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Targets;
using Bev.Chaos.Targets.Linux;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Faults.Network;

/// <summary>
/// The undo recipes network faults write to the journal keep the shape earlier versions wrote, and
/// recipes an earlier version left behind (written here literally) still revert on the next open.
/// </summary>
public sealed class NetworkRecipeCompatibilityTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly ProxyCollection _proxies = new();
    private ChaosStore _store = null!;
    private FaultJournal _journal = null!;

    public ValueTask InitializeAsync()
    {
        _store = ChaosStore.Open(_data.Path);
        _journal = new FaultJournal(_store);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _proxies.DisposeAsync();
        await _store.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task InitializeAsync_PreviousProxyRecipes_RemoveTheToxicAndEnableTheProxy()
    {
        var listen = LoopbackPort.Free();
        var proxy = _proxies.Create("analyzer.cache", $"127.0.0.1:{listen}", $"127.0.0.1:{LoopbackPort.Free()}");
        proxy.AddToxic(ToxicTypes.Define("network_delay-old1_downstream", "latency", "downstream", 1.0, new Dictionary<string, long> { ["latency"] = 100 }));
        proxy.AddToxic(ToxicTypes.Define("someone-elses", "latency", "downstream", 1.0, new Dictionary<string, long> { ["latency"] = 5 }));
        proxy.Update(null, null, enabled: false);
        await AppendOrphanAsync("network_delay-old1", "network_delay",
            """{"mechanism":"proxy","proxies":["analyzer.cache"],"toxics":["network_delay-old1_downstream"]}""");
        await AppendOrphanAsync("network_partition-old2", "network_partition",
            """{"mechanism":"proxy","proxies":["analyzer.cache"],"toxics":["network_partition-old2_downstream"],"disabled":true}""");

        Assert.Equal(2, await OpenManagerAndReconcileAsync());

        Assert.Equal(["someone-elses"], proxy.Toxics.Select(t => t.Name));
        Assert.True(proxy.Enabled);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, listen), TestContext.Current.CancellationToken);
        await AssertRemovedAsync("network_delay-old1");
        await AssertRemovedAsync("network_partition-old2");
    }

    [Fact]
    public async Task InitializeAsync_RecipeWithoutMechanism_RemovedWithNothingToUndo()
    {
        var proxy = _proxies.Create("analyzer.cache", $"127.0.0.1:{LoopbackPort.Free()}", $"127.0.0.1:{LoopbackPort.Free()}");
        proxy.AddToxic(ToxicTypes.Define("network_delay-old5_downstream", "latency", "downstream", 1.0, new Dictionary<string, long> { ["latency"] = 100 }));
        await AppendOrphanAsync("network_delay-old5", "network_delay", "{}");

        Assert.Equal(1, await OpenManagerAndReconcileAsync());

        Assert.Equal(["network_delay-old5_downstream"], proxy.Toxics.Select(t => t.Name));
        await AssertRemovedAsync("network_delay-old5");
    }

    [Fact]
    public async Task InitializeAsync_PreviousNftablesRecipe_DeletesTheRulesAndTheSet()
    {
        Requires.Program("nft");
        using var network = TestNetwork.Create();
        var script = Path.Combine(_data.Path, "rules.nft");
        await File.WriteAllTextAsync(script, """
            table inet bev_chaos {
              chain input { type filter hook input priority -5; policy accept; }
              chain output { type filter hook output priority -5; policy accept; }
            }
            add set inet bev_chaos f_0ld0000000a1 { type inet_proto; flags timeout; }
            add element inet bev_chaos f_0ld0000000a1 { udp timeout 600s }
            add rule inet bev_chaos input meta l4proto @f_0ld0000000a1 counter drop comment "bev-chaos:network_partition-old3"
            add rule inet bev_chaos output meta l4proto @f_0ld0000000a1 counter drop comment "bev-chaos:network_partition-old3"
            """, TestContext.Current.CancellationToken);
        TestNetwork.Ip("netns", "exec", network.B, "nft", "-f", script);
        Assert.Contains("bev-chaos:network_partition-old3", TestNetwork.Ip("netns", "exec", network.B, "nft", "list", "ruleset"));
        await AppendOrphanAsync("network_partition-old3", "network_partition",
            $$"""{"mechanism":"kernel","netns":"/var/run/netns/{{network.B}}","set":"f_0ld0000000a1","comment":"bev-chaos:network_partition-old3"}""");

        Assert.Equal(1, await OpenManagerAndReconcileAsync());

        var ruleset = TestNetwork.Ip("netns", "exec", network.B, "nft", "list", "ruleset");
        Assert.DoesNotContain("bev-chaos:", ruleset);
        Assert.DoesNotContain("f_0ld0000000a1", ruleset);
        await AssertRemovedAsync("network_partition-old3");
    }

    [Fact]
    public async Task InitializeAsync_PreviousTrafficControlRecipe_DeletesOurQdisc()
    {
        Requires.Program("tc");
        using var network = TestNetwork.Create();
        TestNetwork.Ip("netns", "exec", network.A, "tc", "qdisc", "add", "dev", TestNetwork.DeviceA, "root", "handle", "bcbc:", "tbf", "rate", "8000kbit", "burst", "100kb", "latency", "400ms");
        await AppendOrphanAsync("network_bandwidth-old4", "network_bandwidth",
            $$"""{"mechanism":"kernel","netns":"/var/run/netns/{{network.A}}","device":"{{TestNetwork.DeviceA}}"}""");

        Assert.Equal(1, await OpenManagerAndReconcileAsync());

        Assert.DoesNotContain("bcbc:", TestNetwork.Ip("netns", "exec", network.A, "tc", "qdisc", "show", "dev", TestNetwork.DeviceA));
        await AssertRemovedAsync("network_bandwidth-old4");
    }

    [Fact]
    public async Task InjectFaultAsync_ProxyFaults_JournalTheRecipeShapeOfEarlierVersions()
    {
        using var target = TestProcess.Sleeper();
        var configuration = new ChaosConfiguration
        {
            Targets = new Dictionary<string, TargetDefinition>
            {
                ["analyzer"] = new()
                {
                    Name = "analyzer",
                    Pid = target.Pid,
                    Proxies = new Dictionary<string, ProxyRoute> { ["cache"] = new($"127.0.0.1:{LoopbackPort.Free()}", $"127.0.0.1:{LoopbackPort.Free()}") },
                },
            },
        };
        await using var manager = new FaultInjectionManager(configuration, _journal, new TargetResolver(configuration), BuiltInInjectors.Create(_proxies));

        var delay = await manager.InjectFaultAsync("network_delay", "analyzer", parameters: new Dictionary<string, object?> { ["stream"] = "both" }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var partition = await manager.InjectFaultAsync("network_partition", "analyzer", duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal($$"""{"mechanism":"proxy","proxies":["analyzer.cache"],"toxics":["{{delay}}_upstream","{{delay}}_downstream"]}""", await UndoJsonAsync(delay));
        Assert.Equal($$"""{"mechanism":"proxy","proxies":["analyzer.cache"],"toxics":["{{partition}}_downstream"],"disabled":true}""", await UndoJsonAsync(partition));
    }

    [Fact]
    public async Task InjectFaultAsync_KernelFaults_JournalTheRecipeShapeOfEarlierVersions()
    {
        Requires.Program("nft");
        Requires.Program("tc");
        using var network = TestNetwork.Create();
        using var target = TestProcess.Sleeper();
        var configuration = new ChaosConfiguration();
        await using var manager = new FaultInjectionManager(configuration, _journal, new TargetResolver(configuration), BuiltInInjectors.Create(_proxies));

        var loss = await manager.InjectFaultAsync("packet_loss", $"pid:{target.Pid}", parameters: new Dictionary<string, object?> { ["netns"] = network.B }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        var bandwidth = await manager.InjectFaultAsync("network_bandwidth", $"pid:{target.Pid}", parameters: new Dictionary<string, object?> { ["mechanism"] = "kernel", ["netns"] = network.A, ["device"] = TestNetwork.DeviceA }, duration: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal($$"""{"mechanism":"kernel","netns":"/var/run/netns/{{network.B}}","set":"f_{{loss.Replace('-', '_')[^12..]}}","comment":"bev-chaos:{{loss}}"}""", await UndoJsonAsync(loss));
        Assert.Equal($$"""{"mechanism":"kernel","netns":"/var/run/netns/{{network.A}}","device":"{{TestNetwork.DeviceA}}"}""", await UndoJsonAsync(bandwidth));
    }

    private async Task AppendOrphanAsync(string faultId, string injector, string undoJson)
    {
        Assert.NotNull(JsonNode.Parse(undoJson));
        var now = TimeProvider.System.GetUtcNow();
        await _journal.AppendAsync(
            new JournalEntry(faultId, injector, "analyzer", null, "{}", FaultState.Active, undoJson, DeadProcessIdentity(), now, now.AddMinutes(10), now, null, null),
            TestContext.Current.CancellationToken);
    }

    private async Task<int> OpenManagerAndReconcileAsync()
    {
        var configuration = new ChaosConfiguration();
        await using var manager = new FaultInjectionManager(configuration, _journal, new TargetResolver(configuration), BuiltInInjectors.Create(_proxies));
        return await manager.InitializeAsync(TestContext.Current.CancellationToken);
    }

    private async Task AssertRemovedAsync(string faultId)
    {
        var entry = await _journal.GetAsync(faultId, TestContext.Current.CancellationToken);
        Assert.NotNull(entry);
        Assert.Null(entry.Error);
        Assert.Equal(FaultState.Removed, entry.State);
    }

    private async Task<string> UndoJsonAsync(string faultId) =>
        (await _journal.GetAsync(faultId, TestContext.Current.CancellationToken))!.UndoJson;

    private static ProcessIdentity DeadProcessIdentity()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "read line"]) { RedirectStandardInput = true })!;
        var identity = ProcessIdentity.TryRead(process.Id)!.Value;
        process.StandardInput.Close();
        process.WaitForExit();
        Assert.False(identity.IsAlive);
        return identity;
    }
}
