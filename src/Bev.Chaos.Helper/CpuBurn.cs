using System.Diagnostics;

namespace Bev.Chaos.Helper;

/// <summary>
/// Keeps <c>workers</c> threads busy for <c>load</c> percent of every 100 ms period. Each period's
/// busy time is corrected by the previous period's overshoot, so the long-run average lands on
/// the requested load even though sleeps overshoot.
/// </summary>
internal sealed class CpuBurn(int workers, double loadPercent) : IHelperEffect
{
    private static readonly long PeriodTicks = Stopwatch.Frequency / 10;

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

    private void Burn(CancellationToken cancellationToken)
    {
        var fraction = Math.Clamp(loadPercent / 100.0, 0.0, 1.0);
        var start = Stopwatch.GetTimestamp();
        long busyTicks = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Busy until the running busy total catches up with the target share of elapsed time.
            var periodEnd = Stopwatch.GetTimestamp() + PeriodTicks;
            var elapsed = Stopwatch.GetTimestamp() - start + PeriodTicks;
            var wantedBusy = (long)(elapsed * fraction) - busyTicks;
            var busyStart = Stopwatch.GetTimestamp();
            while (Stopwatch.GetTimestamp() - busyStart < wantedBusy)
            {
                Thread.SpinWait(64);
            }

            busyTicks += Stopwatch.GetTimestamp() - busyStart;
            var rest = periodEnd - Stopwatch.GetTimestamp();
            if (rest > 0)
            {
                cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds((double)rest / Stopwatch.Frequency));
            }
        }
    }
}
