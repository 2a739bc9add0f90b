using System.Diagnostics;
using System.Net.Sockets;
using Bev.Chaos.Proxy.FastPath;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Proxy.Tests.Toxics;

/// <summary>Each toxic measured on real loopback sockets, as Toxiproxy documents it.</summary>
public sealed class ToxicBehaviourTests : IAsyncLifetime
{
    private readonly ProxyCollection _proxies = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _proxies.DisposeAsync();

    private static ToxicDefinition Toxic(string type, string stream, params (string Key, long Value)[] attributes) =>
        ToxicTypes.Define(null, type, stream, null, attributes.ToDictionary(a => a.Key, a => a.Value));

    [Fact]
    public async Task NoToxics_BulkData_ArrivesIntact()
    {
        var payload = new byte[8 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        await using var server = EchoServer.Sender(payload);
        var proxy = _proxies.Create("bulk", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);

        var (data, _) = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(payload, data);
        if (ForwardingEngine.Available)
        {
            // The engine counts a send once it returns, which can be just after the client has read it.
            await Poll.UntilAsync(() => proxy.BytesOnFastPath, f => f >= payload.Length, TimeSpan.FromSeconds(5), "bulk data without toxics to go through the fast path");
        }
    }

    [Fact]
    public async Task ToxicAddedDuringBulkTransfer_LeavesFastPathWithoutLosingBytes()
    {
        var payload = new byte[32 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        await using var server = EchoServer.Sender(payload);
        var proxy = _proxies.Create("switch", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        var buffer = new byte[1024 * 1024];
        var received = new MemoryStream();
        while (received.Length < 4 * 1024 * 1024)
        {
            var read = await client.Socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, TestContext.Current.CancellationToken);
            received.Write(buffer, 0, read);
        }

        proxy.AddToxic(Toxic("bandwidth", "downstream", ("rate", 200_000)));
        var (rest, _) = await client.ReadToEndAsync(TimeSpan.FromSeconds(20));
        received.Write(rest);

        Assert.Equal(payload.Length, received.Length);
        Assert.True(payload.AsSpan().SequenceEqual(received.ToArray()), "bytes lost or reordered when leaving the fast path");
        Assert.True(proxy.Counters["bandwidth_downstream"].BytesDelayed > 0, "the toxic should have acted after the switch");
    }

    [Fact]
    public async Task Latency100_AddsHundredMillisecondsToRoundTrip()
    {
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("latency", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        var baseline = Median(await RoundTripsAsync(client, 50));

        proxy.AddToxic(Toxic("latency", "downstream", ("latency", 100)));
        var delayed = Median(await RoundTripsAsync(client, 200));

        Assert.InRange(delayed - baseline, 97, 103);
    }

    [Fact]
    public async Task Jitter_StaysWithinItsBounds()
    {
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("jitter", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        await client.RoundTripAsync();
        proxy.AddToxic(Toxic("latency", "upstream", ("latency", 40), ("jitter", 15)));

        var trips = await RoundTripsAsync(client, 100);

        // 40 ± 15 ms of delay: never less than 25 (a chunk must not leave early); above 55 only the
        // round trip itself and timer wake-up, measured at 1–5 ms on this 2-core machine.
        Assert.All(trips, t => Assert.True(t >= 25, $"a round trip took {t:F2} ms, less than latency - jitter"));
        Assert.InRange(trips.Order().ElementAt(trips.Count * 95 / 100), 25, 61);
        Assert.True(trips.Max() < 75, $"slowest round trip {trips.Max():F1} ms");
        Assert.True(trips.Max() - trips.Min() > 15, "jitter should spread the round trips");
    }

    [Fact]
    public async Task Bandwidth1000KBps_MeasuredWithinFivePercentOverTwoSeconds()
    {
        var payload = new byte[2_500_000];
        await using var server = EchoServer.Sender(payload);
        var proxy = _proxies.Create("bandwidth", null, server.Address);
        proxy.AddToxic(Toxic("bandwidth", "downstream", ("rate", 1000)));
        using var client = await ProxyClient.ConnectAsync(proxy);

        var started = Stopwatch.GetTimestamp();
        var (data, _) = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        Assert.Equal(payload.Length, data.Length);
        Assert.InRange(data.Length / seconds / 1000, 950, 1050);
    }

    [Fact]
    public async Task Timeout_HoldsDataThenClosesAfterTimeout()
    {
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("timeout", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        await client.RoundTripAsync();
        proxy.AddToxic(Toxic("timeout", "upstream", ("timeout", 500)));

        var started = Stopwatch.GetTimestamp();
        await client.Socket.SendAsync(new byte[] { 1, 2, 3 }, SocketFlags.None, TestContext.Current.CancellationToken);
        var (data, _) = await client.ReadToEndAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(data);
        Assert.InRange(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 450, 1000);
    }

    [Fact]
    public async Task TimeoutZero_HoldsDataUntilTheToxicIsRemoved()
    {
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("hold", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        await client.RoundTripAsync();
        proxy.AddToxic(Toxic("timeout", "downstream", ("timeout", 0)));

        var trip = client.RoundTripAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        Assert.False(trip.IsCompleted, "data must be held while the timeout toxic is there");
        proxy.RemoveToxic("timeout_downstream");

        // Timers may fire up to a millisecond early against the stopwatch.
        Assert.True((await trip).TotalMilliseconds >= 295);
    }

    [Fact]
    public async Task ResetPeer_ClientSeesConnectionReset()
    {
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("reset", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        await client.RoundTripAsync();

        proxy.AddToxic(Toxic("reset_peer", "downstream", ("timeout", 100)));
        var error = await Assert.ThrowsAsync<SocketException>(() => client.ReadToEndAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        Assert.Equal(1, proxy.Counters["reset_peer_downstream"].Resets);
    }

    [Fact]
    public async Task ResetPeerUpstream_ResetsWhileTheOtherLinkIsOnTheFastPath()
    {
        // The downstream link has no toxic, so it is on the fast path holding both sockets when
        // the reset comes, and the server never closes: the link must let go of the sockets for
        // the close to happen.
        await using var server = EchoServer.Silent();
        var proxy = _proxies.Create("reset-up", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        await Poll.UntilAsync(() => proxy.ConnectionCount == 1, TimeSpan.FromSeconds(5), "the connection to be proxied");

        proxy.AddToxic(Toxic("reset_peer", "upstream", ("timeout", 100)));
        var error = await Assert.ThrowsAsync<SocketException>(() => client.ReadToEndAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        Assert.Equal(1, proxy.Counters["reset_peer_upstream"].Resets);
        await Poll.UntilAsync(() => proxy.ConnectionCount == 0, TimeSpan.FromSeconds(5), "the reset connection to be gone");
    }

    [Fact]
    public async Task Slicer_DeliversInSmallPieces()
    {
        var payload = new byte[2000];
        Random.Shared.NextBytes(payload);
        await using var server = EchoServer.Sender(payload);
        var proxy = _proxies.Create("slicer", null, server.Address);
        proxy.AddToxic(Toxic("slicer", "downstream", ("average_size", 100), ("size_variation", 20), ("delay", 2000)));
        using var client = await ProxyClient.ConnectAsync(proxy);

        var (data, reads) = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(payload, data);
        Assert.InRange(reads, 15, 30);
    }

    [Fact]
    public async Task LimitData_ClosesAfterExactlyThatManyBytes()
    {
        var payload = new byte[10_000];
        Random.Shared.NextBytes(payload);
        await using var server = EchoServer.Sender(payload);
        var proxy = _proxies.Create("limit", null, server.Address);
        proxy.AddToxic(Toxic("limit_data", "downstream", ("bytes", 1234)));
        using var client = await ProxyClient.ConnectAsync(proxy);

        var (data, _) = await client.ReadToEndAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(payload.AsSpan(0, 1234).ToArray(), data);
    }

    [Fact]
    public async Task SlowClose_PassesTheCloseLate()
    {
        await using var server = EchoServer.Sender([1, 2, 3]);
        var proxy = _proxies.Create("slow_close", null, server.Address);
        proxy.AddToxic(Toxic("slow_close", "downstream", ("delay", 400)));
        using var client = await ProxyClient.ConnectAsync(proxy);

        var started = Stopwatch.GetTimestamp();
        var (data, _) = await client.ReadToEndAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([1, 2, 3], data);
        Assert.InRange(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 390, 900);
    }

    [Fact]
    public async Task ToxicAddedChangedRemoved_OnOpenConnection_TakesEffect()
    {
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("live", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        Assert.True((await client.RoundTripAsync()).TotalMilliseconds < 20);

        proxy.AddToxic(Toxic("latency", "downstream", ("latency", 60)));
        Assert.InRange((await client.RoundTripAsync()).TotalMilliseconds, 58, 90);

        proxy.UpdateToxic("latency_downstream", old => ToxicTypes.Define(null, null, null, null, new Dictionary<string, long> { ["latency"] = 150 }, old));
        Assert.InRange((await client.RoundTripAsync()).TotalMilliseconds, 148, 190);

        proxy.RemoveToxic("latency_downstream");
        Assert.True((await client.RoundTripAsync()).TotalMilliseconds < 20);
    }

    [Fact]
    public async Task ToxicityZero_NeverApplies_AndSeedReplaysChoices()
    {
        await using var server = EchoServer.Echo();
        var never = _proxies.Create("never", null, server.Address);
        never.AddToxic(ToxicTypes.Define(null, "latency", "downstream", 0.0, new Dictionary<string, long> { ["latency"] = 200 }));
        using (var client = await ProxyClient.ConnectAsync(never))
        {
            Assert.True((await client.RoundTripAsync()).TotalMilliseconds < 50);
        }

        async Task<bool[]> ChoicesAsync(string name)
        {
            var proxy = _proxies.Create(name, null, server.Address, seed: 42);
            proxy.AddToxic(ToxicTypes.Define(null, "latency", "downstream", 0.5, new Dictionary<string, long> { ["latency"] = 30 }));
            var choices = new bool[12];
            for (var i = 0; i < choices.Length; i++)
            {
                using var client = await ProxyClient.ConnectAsync(proxy);
                choices[i] = (await client.RoundTripAsync()).TotalMilliseconds >= 29;
            }

            return choices;
        }

        var first = await ChoicesAsync("seeded-a");
        var second = await ChoicesAsync("seeded-b");
        Assert.Equal(first, second);
        Assert.Contains(true, first);
        Assert.Contains(false, first);
    }

    [Fact]
    public async Task Disabled_RefusesAndCutsConnections_ThenHeals()
    {
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("partition", null, server.Address);
        using var open = await ProxyClient.ConnectAsync(proxy);
        await open.RoundTripAsync();

        proxy.Update(null, null, enabled: false);

        var (left, _) = await open.ReadToEndAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(left);
        await Assert.ThrowsAsync<SocketException>(() => ProxyClient.ConnectAsync(proxy));
        proxy.Update(null, null, enabled: true);
        using var again = await ProxyClient.ConnectAsync(proxy);
        await again.RoundTripAsync();
    }

    private static async Task<List<double>> RoundTripsAsync(ProxyClient client, int count)
    {
        var trips = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            trips.Add((await client.RoundTripAsync()).TotalMilliseconds);
        }

        return trips;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
