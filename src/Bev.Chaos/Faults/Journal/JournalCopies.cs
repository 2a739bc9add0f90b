using System.Text.Json;

namespace Bev.Chaos.Faults.Journal;

/// <summary>
/// A further copy of every open fault's journal entry, one small file each, outside the store:
/// when the store is emptied, replaced or recreated under a held fault, the next engine to open it
/// finds the faults the journal lost here, says so, and restores them, so they are reverted like
/// any other. A copy is written with its entry and deleted when the entry closes. There are two
/// sets: <c>DATA_DIR/run/faults/</c> beside the store, and a machine-wide one (see
/// <see cref="MachineDirectory"/>) that outlives a deleted data directory and tells an emergency
/// stop which effects carrying our name belong to an engine still running.
/// </summary>
internal sealed class JournalCopies(string directory, string dataDirectory)
{
    private const string Suffix = ".json";

    /// <summary>The folder of the copies.</summary>
    public string Directory { get; } = directory;

    /// <summary>The copies beside the store of <paramref name="dataDirectory"/>.</summary>
    public static JournalCopies BesideStore(string dataDirectory, string runDirectory) => new(Path.Combine(runDirectory, "faults"), dataDirectory);

    /// <summary>The machine-wide copies of every store's open faults; null where there is no safe folder for them (see <see cref="MachineDirectory"/>).</summary>
    public static JournalCopies? OnMachine(string dataDirectory) => MachineDirectory() is { } folder ? new(folder, dataDirectory) : null;

    /// <summary>
    /// Every machine-wide folder this process can read, its own first: root's
    /// (<c>/run/bev-chaos/faults</c>) is read by every engine as well, so that a user's engine, or
    /// one with its own <c>BEV_CHAOS_RUNTIME_DIR</c>, still sees what root's engines hold.
    /// </summary>
    public static IReadOnlyList<JournalCopies> AllOnMachine(string dataDirectory) =>
        new[] { MachineDirectory(), Path.Combine(RootRuntime, "faults") }
            .OfType<string>().Distinct(StringComparer.Ordinal).Where(IsSafe).Select(folder => new JournalCopies(folder, dataDirectory)).ToList();

    /// <summary>
    /// The machine-wide folder: <c>BEV_CHAOS_RUNTIME_DIR/faults</c>, else <c>/run/bev-chaos/faults</c>
    /// for root, else <c>$XDG_RUNTIME_DIR/bev-chaos/faults</c> (the user's own, 0700). Runtime
    /// folders are emptied at boot, as are the cgroups and processes a fault holds. Null without
    /// one, and when the folder is a link or writable by others: copies that anyone could plant
    /// would be restored and reverted as faults.
    /// </summary>
    public static string? MachineDirectory()
    {
        var root = Environment.GetEnvironmentVariable("BEV_CHAOS_RUNTIME_DIR") is { Length: > 0 } given ? given
            : Targets.Linux.LibC.IsRoot ? RootRuntime
            : Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime ? Path.Combine(runtime, "bev-chaos")
            : null;
        if (root is null)
        {
            return null;
        }

        var folder = Path.Combine(root, "faults");
        try
        {
            System.IO.Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return IsSafe(folder) ? folder : null;
    }

    private const string RootRuntime = "/run/bev-chaos";

    private static bool IsSafe(string folder)
    {
        try
        {
            var info = new DirectoryInfo(folder);
            return info.Exists && info.LinkTarget is null && (info.UnixFileMode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>How many copies there are (open faults, or faults the journal lost); 0 without the folder.</summary>
    public static int Count(string runDirectory)
    {
        var folder = Path.Combine(runDirectory, "faults");
        return System.IO.Directory.Exists(folder) ? System.IO.Directory.GetFiles(folder, "*" + Suffix).Length : 0;
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
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(new JournalCopy(dataDirectory, entry)));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The copy written before stays: a stale copy is restored only when the store lost the
            // entry, while no copy at all would leave a live fault unprotected from a sweep.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do; the next write replaces it.
            }
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
            else if (Read(PathOf(id)) is { Entry: var copy })
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
    public IReadOnlyList<JournalCopy> ReadAll() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "*" + Suffix).Select(Read).OfType<JournalCopy>().ToList()
            : [];

    /// <summary>Whether there is a copy of <paramref name="faultId"/> in this set.</summary>
    public bool Exists(string faultId) => File.Exists(PathOf(faultId));

    /// <summary>Whether a copy belongs to this set's store (the same data directory).</summary>
    public bool IsOurs(JournalCopy copy) => SameDirectory(copy.DataDirectory, dataDirectory);

    private static bool SameDirectory(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    // Fault ids are ours (injector name, '-', hex), but a copy's name never leaves the folder.
    private string PathOf(string faultId) => Path.Combine(Directory, Path.GetFileName(faultId) + Suffix);

    // A copy is a few KiB; anything that is not a whole entry of a regular file (hand-edited,
    // truncated, replaced by something else) is skipped rather than allowed to stop a start-up.
    private const long MaxCopyBytes = 1024 * 1024;

    private JournalCopy? Read(string path)
    {
        try
        {
            var file = new FileInfo(path);
            if (file.LinkTarget is not null || file.Length > MaxCopyBytes)
            {
                return null;
            }

            var bytes = File.ReadAllBytes(path);
            var copy = JsonSerializer.Deserialize<JournalCopy>(bytes);

            // A copy written before copies named their store is a bare entry, and beside the store.
            if (copy?.Entry is null)
            {
                copy = JsonSerializer.Deserialize<JournalEntry>(bytes) is { } bare ? new JournalCopy(dataDirectory, bare) : null;
            }

            return copy is { DataDirectory.Length: > 0 } && IsWhole(copy.Entry) && Path.GetFileName(path) == Path.GetFileName(copy.Entry.FaultId) + Suffix ? copy : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    // System.Text.Json leaves a missing property null whatever the record says.
    // Parameters and recipe are JSON objects: a copy edited by hand into something else is no whole entry.
    private static bool IsWhole(JournalEntry? entry) =>
        entry is { FaultId.Length: > 0, Injector.Length: > 0, Target: not null, ParametersJson: not null, UndoJson: not null } && Enum.IsDefined(entry.State)
        && IsJsonObject(entry.ParametersJson) && IsJsonObject(entry.UndoJson);

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
