namespace Bev.Chaos.Server.Tests;

public sealed class CoalescedReadTests
{
    [Fact]
    public async Task ReadAsync_CallersArrivingDuringARead_ShareTheNextReadNotTheRunningOne()
    {
        var reads = 0;
        var gates = new[] { new TaskCompletionSource(), new TaskCompletionSource() };
        var coalesced = new CoalescedRead<int>(async () =>
        {
            var n = Interlocked.Increment(ref reads);
            await gates[n - 1].Task;
            return n;
        });

        var first = coalesced.ReadAsync(TestContext.Current.CancellationToken);
        var second = coalesced.ReadAsync(TestContext.Current.CancellationToken);
        var third = coalesced.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, Volatile.Read(ref reads));
        gates[0].SetResult();
        Assert.Equal(1, await first);
        gates[1].SetResult();

        Assert.Equal((2, 2), (await second, await third));
        Assert.Equal(2, Volatile.Read(ref reads));
    }

    [Fact]
    public async Task ReadAsync_ReadThrows_EveryWaiterOfThatBatchGetsItAndTheNextReadRuns()
    {
        var reads = 0;
        var gate = new TaskCompletionSource();
        var coalesced = new CoalescedRead<int>(async () =>
        {
            var n = Interlocked.Increment(ref reads);
            await gate.Task;
            return n == 2 ? throw new IOException("disk gone") : n;
        });

        var first = coalesced.ReadAsync(TestContext.Current.CancellationToken);
        var second = coalesced.ReadAsync(TestContext.Current.CancellationToken);
        var third = coalesced.ReadAsync(TestContext.Current.CancellationToken);
        gate.SetResult();

        Assert.Equal(1, await first);
        Assert.Equal("disk gone", (await Assert.ThrowsAsync<IOException>(() => second)).Message);
        Assert.Equal("disk gone", (await Assert.ThrowsAsync<IOException>(() => third)).Message);
        Assert.Equal(3, await coalesced.ReadAsync(TestContext.Current.CancellationToken));
    }
}
