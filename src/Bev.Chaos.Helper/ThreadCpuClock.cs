using System.Runtime.InteropServices;

namespace Bev.Chaos.Helper;

/// <summary>
/// The CPU time the calling thread has been charged (<c>CLOCK_THREAD_CPUTIME_ID</c>): what the
/// kernel, <c>/proc/PID/stat</c> and a cgroup's <c>cpuacct.usage</c> count, unlike wall-clock
/// busy time, which also counts the moments another process had the core.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>The calling thread's CPU time in nanoseconds.</summary>
    public static long NowNanoseconds()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return (time.Seconds * 1_000_000_000L) + time.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
