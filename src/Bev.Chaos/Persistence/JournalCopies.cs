using System.Text.Json;
using Bev.Chaos.Faults;

namespace Bev.Chaos.Persistence;

/// <summary>
/// A second copy of every open fault's journal entry, one small file each in
/// <c>DATA_DIR/run/faults/</c>, beside the store but not in it: when the store is emptied,
/// replaced or recreated under a held fault, the next engine to open it finds the faults the
/// journal lost here, says so, and restores them, so they are reverted like any other. A copy is
/// written with its entry and deleted when the entry closes.
/// </summary>
internal sealed class JournalCopies(string runDirectory)
{
    private const string Suffix = ".json";

    /// <summary>The folder of the copies.</summary>
    public string Directory { get; } = Path.Combine(runDirectory, "faults");

    /// <summary>How many copies there are (open faults, or faults the journal lost); 0 without the folder.</summary>
    public static int Count(string runDirectory)
    {
        var directory = Path.Combine(runDirectory, "faults");
        return System.IO.Directory.Exists(directory) ? System.IO.Directory.GetFiles(directory, "*" + Suffix).Length : 0;
    }

    /// <summary>
    /// Writes (or replaces) the copy of <paramref name="entry"/>, whole or not at all. Best effort:
    /// the store is the journal and has the entry already; a full disk or a read-only data
    /// directory costs only the second copy, never an injection or a removal.
    /// </summary>
    public void Write(JournalEntry entry)
    {
        var path = PathOf(entry.FaultId);
        var temporary = path + ".tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(entry));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Delete(entry.FaultId);
        }
    }

    /// <summary>Follows an update of the journal: a closed fault's copy goes, an open one's takes the new state and recipe.</summary>
    public void Update(IEnumerable<string> faultIds, FaultState state, string? undoJson)
    {
        foreach (var id in faultIds)
        {
            if (state is FaultState.Removed or FaultState.Failed)
            {
                Delete(id);
            }
            else if (Read(PathOf(id)) is { } copy)
            {
                Write(copy with { State = state, UndoJson = undoJson ?? copy.UndoJson });
            }
        }
    }

    /// <summary>Deletes a copy; nothing when there is none (or it cannot be deleted: a stale copy of a closed fault is dropped at the next start).</summary>
    public void Delete(string faultId)
    {
        try
        {
            File.Delete(PathOf(faultId));
            File.Delete(PathOf(faultId) + ".tmp");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // RestoreLostAsync drops the copies of closed faults.
        }
    }

    /// <summary>Every readable copy; a damaged one (a crash mid-write leaves only the temporary file) is skipped.</summary>
    public IReadOnlyList<JournalEntry> ReadAll() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "*" + Suffix).Select(Read).OfType<JournalEntry>().ToList()
            : [];

    // Fault ids are ours (injector name, '-', hex), but a copy's name never leaves the folder.
    private string PathOf(string faultId) => Path.Combine(Directory, Path.GetFileName(faultId) + Suffix);

    // A copy is a few KiB; anything that is not a whole entry of a regular file (hand-edited,
    // truncated, replaced by something else) is skipped rather than allowed to stop a start-up.
    private const long MaxCopyBytes = 1024 * 1024;

    private static JournalEntry? Read(string path)
    {
        try
        {
            var file = new FileInfo(path);
            if (file.LinkTarget is not null || file.Length > MaxCopyBytes)
            {
                return null;
            }

            var entry = JsonSerializer.Deserialize<JournalEntry>(File.ReadAllBytes(path));
            return IsWhole(entry) && Path.GetFileName(path) == Path.GetFileName(entry!.FaultId) + Suffix ? entry : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    // System.Text.Json leaves a missing property null whatever the record says.
    private static bool IsWhole(JournalEntry? entry) =>
        entry is { FaultId.Length: > 0, Injector.Length: > 0, Target: not null, ParametersJson: not null, UndoJson: not null } && Enum.IsDefined(entry.State);
}
