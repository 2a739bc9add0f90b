using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Bev.Chaos.Configuration;

/// <summary>
/// Reads a user's input file (configuration, scenarios, an experiment) with bounds: only a regular
/// file, checked before it is opened (a FIFO would block the open, <c>/dev/zero</c> never ends),
/// and never more than a cap, however the file grows while it is read.
/// </summary>
internal static partial class InputFile
{
    /// <summary>The default cap: 4 MiB, far above any hand-written configuration or scenario file.</summary>
    public const int DefaultMaxBytes = 4 * 1024 * 1024;

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;
    private const int TypeMask = 0xF000;
    private const int RegularFile = 0x8000;

    /// <summary>The file's text (UTF-8).</summary>
    /// <param name="path">The file.</param>
    /// <param name="field">How errors name it, e.g. <c>--config</c> or <c>SCENARIO</c>.</param>
    /// <param name="maxBytes">The most it may hold.</param>
    /// <exception cref="ChaosValidationException">Missing, not a regular file, unreadable or too large.</exception>
    public static string ReadText(string path, string field = "file", int maxBytes = DefaultMaxBytes)
    {
        if (KindOf(path) is { } kind)
        {
            throw new ChaosValidationException(field, path, $"a regular file (this is {kind})");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
            if (stream.CanSeek && stream.Length > maxBytes)
            {
                throw TooLarge(field, path, $"{stream.Length} bytes", maxBytes);
            }

            // Read up to one byte more than allowed, whatever Length said (it is 0 for /proc files
            // and can change while we read): that byte tells "exactly the cap" from "more".
            using var text = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int n;
            while ((n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1L - text.Length))) > 0)
            {
                text.Write(chunk, 0, n);
                if (text.Length > maxBytes)
                {
                    throw TooLarge(field, path, $"more than {maxBytes} bytes", maxBytes);
                }
            }

            var bytes = text.GetBuffer();
            var start = text.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            return Encoding.UTF8.GetString(bytes, start, (int)text.Length - start);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ChaosValidationException(field, path, ex is FileNotFoundException or DirectoryNotFoundException ? "an existing file" : $"a readable file ({ex.Message})");
        }
    }

    // What the path is when it is not a regular file (following symbolic links, as open would);
    // null for a regular file, or when it cannot be told (then the open says what is wrong).
    private static string? KindOf(string path)
    {
        var buffer = new byte[256];
        if (statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
        {
            return null;
        }

        return (BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask) switch
        {
            RegularFile => null,
            0x4000 => "a directory",
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            var other => "file type 0x" + other.ToString("x", CultureInfo.InvariantCulture),
        };
    }

    private static ChaosValidationException TooLarge(string field, string path, string size, int maxBytes) =>
        new(field, path, $"a file of at most {Size(maxBytes)}; this one has {size}");

    private static string Size(int bytes) => bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0
        ? $"{bytes / 1024 / 1024} MiB ({bytes} bytes)"
        : $"{bytes} bytes";

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);
}
