using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Bev.Chaos.Targets.Linux;

/// <summary>Space on a filesystem as <c>statvfs(3)</c> reports it.</summary>
/// <param name="TotalBytes">f_blocks × f_frsize</param>
/// <param name="FreeBytes">f_bfree × f_frsize (including root's reserve)</param>
/// <param name="AvailableBytes">f_bavail × f_frsize (what unprivileged users may still use)</param>
internal readonly record struct FileSystemSpace(long TotalBytes, long FreeBytes, long AvailableBytes)
{
    /// <summary>Used share the way <c>df</c> computes it: used / (used + available).</summary>
    public double UsedPercent => 100.0 * (TotalBytes - FreeBytes) / Math.Max(1, TotalBytes - FreeBytes + AvailableBytes);
}

/// <summary>Filesystem facts: space, the block device behind a path, real block allocation.</summary>
internal static partial class FileSystems
{
    /// <summary>statvfs of the filesystem holding <paramref name="path"/>.</summary>
    public static FileSystemSpace Space(string path)
    {
        var buffer = new ulong[16];
        if (statvfs(path, buffer) != 0)
        {
            throw new IOException($"statvfs({path}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        // x86_64/aarch64 glibc layout: bsize, frsize, blocks, bfree, bavail, …
        var frsize = (long)buffer[1];
        return new FileSystemSpace((long)buffer[2] * frsize, (long)buffer[3] * frsize, (long)buffer[4] * frsize);
    }

    /// <summary>Allocates real blocks for the first <paramref name="length"/> bytes of a file.</summary>
    /// <returns>false when the filesystem cannot preallocate (the caller then writes).</returns>
    public static bool TryAllocate(SafeFileHandle handle, long length)
    {
        var result = posix_fallocate((int)handle.DangerousGetHandle(), 0, length);
        return result == 0 || (result is not 95 and not 22
            ? throw new IOException($"fallocate of {length} bytes failed: errno {result} ({Marshal.GetPInvokeErrorMessage(result)})")
            : false);
    }

    /// <summary>
    /// The whole-disk block device (major:minor) behind <paramref name="path"/>, from
    /// <c>/proc/self/mountinfo</c>; null when the path is on a virtual filesystem (tmpfs, overlay).
    /// </summary>
    public static (int Major, int Minor, string MountPoint, string FsType)? BlockDeviceOf(string path)
    {
        var full = Path.GetFullPath(path);
        string? bestMount = null;
        var best = (Major: 0, Minor: 0, Fs: string.Empty);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            var mountPoint = fields[4].Replace("\\040", " ", StringComparison.Ordinal);
            var separator = Array.IndexOf(fields, "-");
            if (!IsUnder(full, mountPoint) || (bestMount is not null && mountPoint.Length < bestMount.Length))
            {
                continue;
            }

            var numbers = fields[2].Split(':');
            bestMount = mountPoint;
            best = (int.Parse(numbers[0], CultureInfo.InvariantCulture), int.Parse(numbers[1], CultureInfo.InvariantCulture), separator > 0 ? fields[separator + 1] : "?");
        }

        if (bestMount is null || best.Major == 0)
        {
            return null;
        }

        // blkio throttles whole disks: climb from a partition to its disk.
        var sys = $"/sys/dev/block/{best.Major}:{best.Minor}";
        if (File.Exists(Path.Combine(sys, "partition")))
        {
            var parentDev = File.ReadAllText(Path.Combine(sys, "..", "dev")).Trim().Split(':');
            best = (int.Parse(parentDev[0], CultureInfo.InvariantCulture), int.Parse(parentDev[1], CultureInfo.InvariantCulture), best.Fs);
        }

        return (best.Major, best.Minor, bestMount, best.Fs);
    }

    /// <summary>The filesystem type at <paramref name="path"/> (from mountinfo).</summary>
    public static string FileSystemTypeOf(string path)
    {
        var full = Path.GetFullPath(path);
        var bestLength = -1;
        var type = "?";
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            var mountPoint = fields[4];
            var separator = Array.IndexOf(fields, "-");
            if (IsUnder(full, mountPoint) && mountPoint.Length > bestLength && separator > 0)
            {
                bestLength = mountPoint.Length;
                type = fields[separator + 1];
            }
        }

        return type;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or below it.</summary>
    public static bool IsUnder(string path, string root)
    {
        var r = root.TrimEnd('/');
        return r.Length == 0 || path == r || path.StartsWith(r + "/", StringComparison.Ordinal);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statvfs(string path, [Out] ulong[] buffer);

    [LibraryImport("libc")]
    private static partial int posix_fallocate(int fd, long offset, long length);
}
