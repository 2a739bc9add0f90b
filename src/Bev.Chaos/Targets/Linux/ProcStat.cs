namespace Bev.Chaos.Targets.Linux;

/// <summary>The fields of <c>/proc/PID/stat</c> that the engine uses.</summary>
/// <param name="State">R, S, D, T, t, Z, X …</param>
/// <param name="ParentPid">ppid</param>
/// <param name="UserTicks">utime in clock ticks</param>
/// <param name="SystemTicks">stime in clock ticks</param>
/// <param name="StartTicks">start time in clock ticks after boot</param>
/// <param name="RssPages">resident set size in pages</param>
internal readonly record struct ProcStat(char State, int ParentPid, long UserTicks, long SystemTicks, long StartTicks, long RssPages)
{
    /// <summary>User plus system CPU time.</summary>
    public TimeSpan CpuTime => TimeSpan.FromSeconds((UserTicks + SystemTicks) / (double)ProcFs.ClockTicksPerSecond);

    /// <summary>Resident memory in bytes.</summary>
    public long RssBytes => RssPages * Environment.SystemPageSize;
}
