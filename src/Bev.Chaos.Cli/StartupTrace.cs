using System.Diagnostics;
using System.Globalization;

namespace Bev.Chaos.Cli;

/// <summary>
/// With <c>BEV_CHAOS_STARTUP_TRACE=1</c>, one stderr line per start-up phase, in milliseconds since
/// <c>Main</c> began; the first line also gives the time from exec to <c>Main</c> (the runtime's own
/// start-up, from the kernel's process start time: 10 ms resolution). The bench (bench/RESULTS.md)
/// uses it to say where a command's wall time goes.
/// </summary>
internal static class StartupTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("BEV_CHAOS_STARTUP_TRACE") == "1";
    private static long _main;

    /// <summary>Notes that <paramref name="phase"/> is done (nothing unless tracing is on).</summary>
    public static void Mark(string phase)
    {
        if (!Enabled)
        {
            return;
        }

        if (_main == 0)
        {
            _main = Stopwatch.GetTimestamp();
            var beforeMain = TimeProvider.System.GetUtcNow().UtcDateTime - Process.GetCurrentProcess().StartTime.ToUniversalTime();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bev-chaos: startup exec to main {beforeMain.TotalMilliseconds:F0} ms"));
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bev-chaos: startup +{Stopwatch.GetElapsedTime(_main).TotalMilliseconds:F1} ms {phase}"));
    }
}
