using System.Runtime.InteropServices;

namespace Bev.Chaos.Targets.Linux;

/// <summary>The few libc calls .NET does not expose.</summary>
internal static partial class LibC
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;
    public const int ESRCH = 3;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    public static bool IsRoot => geteuid() == 0;

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathNative(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    /// <summary>The canonical absolute path, every symbolic link in it resolved; null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var resolved = RealPathNative(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process no longer exists.</summary>
    public static bool TrySignal(int pid, int signal)
    {
        // kill(2) reads 0 as "my process group" and -1 as "every process I may signal": a target
        // is always one process, so such a pid is a bug, never a request.
        if (pid <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "a process id is positive; 0 and negatives would signal a process group or every process");
        }

        if (kill(pid, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno != ESRCH
            ? throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})")
            : false;
    }

    /// <summary>Maps a signal name (<c>SIGKILL</c>, <c>KILL</c>, <c>9</c>) to its number.</summary>
    public static bool TryParseSignal(string text, out int signal)
    {
        var name = text.Trim().ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = name[3..];
        }

        signal = name switch
        {
            "HUP" => 1, "INT" => 2, "QUIT" => 3, "ABRT" => 6, "KILL" => 9, "USR1" => 10, "SEGV" => 11,
            "USR2" => 12, "TERM" => 15, _ => int.TryParse(name, out var n) && n is > 0 and < 65 ? n : -1,
        };
        return signal > 0;
    }
}
