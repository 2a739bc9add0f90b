using System.Diagnostics;

namespace Bev.Chaos.Helper;

/// <summary>
/// Keeps <c>workers</c> threads busy for <c>load</c> percent of a core each. Every thread spins
/// until the CPU time it has really been charged catches up with the requested share of the wall
/// time since it started, then sleeps out the 100 ms period. Counting charged CPU time rather than
/// busy wall time keeps the load right when the thread shares its core (a preempted spin is not
/// charged, so the next period makes it up) and when sleeps overshoot.
/// </summary>
internal sealed class CpuBurn(int workers, double loadPercent) : IHelperEffect
{
    private const long PeriodNanoseconds = 100_000_000;

    // After a long stretch without the core (the machine saturated) the debt is forgiven beyond
    // this much, so the thread does not burst at 100 % for seconds when the core comes back.
    private const long MaxDebtNanoseconds = 2 * PeriodNanoseconds;

    public async Task RunAsync(Action<string> ready, CancellationToken cancellationToken)
    {
        var threads = new Thread[workers];
        for (var i = 0; i < workers; i++)
        {
            threads[i] = new Thread(() => Burn(cancellationToken)) { IsBackground = true, Name = $"burn-{i}" };
            threads[i].Start();
        }

        ready(string.Empty);
        await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken).ConfigureAwait(false);
    }

    private static long WallNanoseconds(long fromTimestamp) =>
        (long)(Stopwatch.GetElapsedTime(fromTimestamp).Ticks * (1_000_000_000.0 / TimeSpan.TicksPerSecond));

    private void Burn(CancellationToken cancellationToken)
    {
        var fraction = Math.Clamp(loadPercent / 100.0, 0.0, 1.0);
        var wallStart = Stopwatch.GetTimestamp();
        var cpuBaseline = ThreadCpuClock.NowNanoseconds();
        while (!cancellationToken.IsCancellationRequested)
        {
            var periodEnd = WallNanoseconds(wallStart) + PeriodNanoseconds;
            var wantedCpu = (long)(periodEnd * fraction);
            var charged = ThreadCpuClock.NowNanoseconds() - cpuBaseline;
            if (wantedCpu - charged > MaxDebtNanoseconds)
            {
                cpuBaseline -= wantedCpu - charged - MaxDebtNanoseconds;
                charged = wantedCpu - MaxDebtNanoseconds;
            }

            while (charged < wantedCpu && WallNanoseconds(wallStart) < periodEnd)
            {
                Thread.SpinWait(64);
                charged = ThreadCpuClock.NowNanoseconds() - cpuBaseline;
            }

            var rest = periodEnd - WallNanoseconds(wallStart);
            if (rest > 0)
            {
                cancellationToken.WaitHandle.WaitOne(TimeSpan.FromTicks(rest / 100));
            }
        }
    }
}
