using System.Globalization;

namespace Bev.Chaos.Targets.Linux;

/// <summary>
/// A process as the kernel knows it: pid plus start time (clock ticks since boot), so that a
/// recorded process is never confused with a later one that reused its pid.
/// </summary>
public readonly record struct ProcessIdentity(int Pid, long StartTicks)
{
    /// <summary>Reads the identity of a running process; null when it does not exist.</summary>
    public static ProcessIdentity? TryRead(int pid)
    {
        var stat = ProcFs.TryReadStat(pid);
        return stat is null ? null : new ProcessIdentity(pid, stat.Value.StartTicks);
    }

    /// <summary>The identity of the current process.</summary>
    public static ProcessIdentity Current { get; } = TryRead(Environment.ProcessId)
        ?? throw new InvalidOperationException("cannot read /proc/self/stat");

    /// <summary>True while this very process (not a pid reuse) is alive and not a zombie.</summary>
    public bool IsAlive
    {
        get
        {
            var stat = ProcFs.TryReadStat(Pid);
            return stat is { } s && s.StartTicks == StartTicks && s.State is not 'Z' and not 'X';
        }
    }

    /// <summary>The <c>pid@start</c> form (<c>1234@567890</c>), as pid files and undo recipes hold it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Pid}@{StartTicks}");

    /// <summary>Parses the <c>pid@start</c> form written by <see cref="ToString"/>.</summary>
    public static ProcessIdentity Parse(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return new ProcessIdentity(
            int.Parse(text.AsSpan(0, at), CultureInfo.InvariantCulture),
            long.Parse(text.AsSpan(at + 1), CultureInfo.InvariantCulture));
    }
}
