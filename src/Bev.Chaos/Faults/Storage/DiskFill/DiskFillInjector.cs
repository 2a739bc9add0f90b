using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Targets.Docker;
using Bev.Chaos.Targets.Linux;
using static Bev.Chaos.Faults.Storage.DiskFill.DiskFillConstants;

namespace Bev.Chaos.Faults.Storage.DiskFill;

/// <summary>
/// Fills the filesystem at <c>path</c> with a file of real (fallocated) blocks — to
/// <c>fill_percent</c> used, or by <c>size_mb</c> — never leaving less than <c>reserve_mb</c>
/// available. Only under the temp directory, the data directory and configured
/// <c>allowed_paths</c>. Removal deletes the file. On a docker target, <c>path</c> is inside the
/// container (default /tmp; /tmp, /var/tmp or <c>allowed_paths</c>), written through its init
/// process's root so the file lands in the container's own writable layer.
/// </summary>
internal sealed class DiskFillInjector : FaultInjector<DiskFillOptions>
{
    private readonly DockerEngine? _docker;

    public DiskFillInjector(DockerEngine? docker = null)
    {
        _docker = docker;
        Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [SizeMb] = 256L },
        new Dictionary<string, object> { [SizeMb] = 1024L },
        new Dictionary<string, object> { [FillPercent] = 90.0 });
    }

    public override string Name => DiskFillConstants.Name;

    public override FaultCategory Category => FaultCategory.Storage;

    public override string Description => "Fills a filesystem with real blocks, to a used percentage or by a size, above a safety reserve.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    /// <summary>Where disk_fill may write: the temp directory, the data directory and configured roots, each with its links resolved.</summary>
    public static IReadOnlyList<string> AllowedRoots(FaultContext context) =>
        [.. new[] { Path.GetTempPath(), context.DataDirectory }.Concat(context.Settings.AllowedPaths).Select(RealRoot)];

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        if (OptionsOf(context).Path is { } given && (given.Trim().Length == 0 || given.Contains('\0', StringComparison.Ordinal)))
        {
            errors.Add(new ValidationError($"parameters.{PathParameter}", given, "a directory path (not empty, no NUL character)"));
            return;
        }

        // A relative path would mean the engine's working directory, which the caller cannot know.
        if (OptionsOf(context).Path is { } relative && !Path.IsPathRooted(relative))
        {
            errors.Add(new ValidationError($"parameters.{PathParameter}", relative, "an absolute directory path (starting with /)"));
            return;
        }

        if (context.Target.Containers.Count > 0)
        {
            var inner = InnerPath(context);
            var containerRoots = new[] { "/tmp", "/var/tmp" }.Concat(context.Settings.AllowedPaths).ToList();
            if (!containerRoots.Any(root => FileSystems.IsUnder(inner, root.TrimEnd('/'))))
            {
                errors.Add(new ValidationError($"parameters.{PathParameter}", inner, $"a directory inside the container under {string.Join(", ", containerRoots)} (add more with fault_injectors.disk_fill.allowed_paths)"));
            }
            else if (!Directory.Exists(ResolvePath(context)))
            {
                errors.Add(new ValidationError($"parameters.{PathParameter}", inner, $"an existing directory inside {context.Target.Containers[0].Name}"));
            }

            return;
        }

        // The check is made on the real path, every link resolved: a link inside an allowed root
        // that points out of it must not take the fill along.
        var path = ResolvePath(context);
        var roots = AllowedRoots(context);
        if (!Directory.Exists(path))
        {
            errors.Add(new ValidationError($"parameters.{PathParameter}", LexicalPath(context), "an existing directory"));
        }
        else if (!roots.Any(root => FileSystems.IsUnder(path, root.TrimEnd('/'))))
        {
            var shown = LexicalPath(context) == path ? path : $"{LexicalPath(context)} (really {path})";
            errors.Add(new ValidationError($"parameters.{PathParameter}", shown, $"a directory under {string.Join(", ", roots)} (add more with fault_injectors.disk_fill.allowed_paths)"));
        }

        if (OptionsOf(context) is { UsedPercent: not null, SizeMiB: { } size })
        {
            errors.Add(new ValidationError($"parameters.{SizeMb}", size.ToString(CultureInfo.InvariantCulture), "not together with fill_percent: give one of them"));
        }
    }

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var path = ResolvePath(context);
        var space = FileSystems.Space(path);
        var options = OptionsOf(context);
        var reserve = options.ReserveMiB * 1024 * 1024;
        long wanted;
        if (options.UsedPercent is { } percent)
        {
            var used = space.TotalBytes - space.FreeBytes;
            var usable = used + space.AvailableBytes;
            wanted = (long)(percent / 100.0 * usable) - used;
        }
        else
        {
            wanted = (options.SizeMiB ?? DefaultSizeMb) * 1024 * 1024;
        }

        var room = space.AvailableBytes - reserve;
        var bytes = Math.Min(wanted, room);
        if (bytes <= 0)
        {
            throw new ChaosValidationException($"parameters.{(options.UsedPercent is null ? SizeMb : FillPercent)}",
                options.UsedPercent?.ToString(CultureInfo.InvariantCulture) ?? (wanted / 1024 / 1024).ToString(CultureInfo.InvariantCulture),
                $"a fill that leaves {reserve / 1024 / 1024} MiB (reserve_mb) available; {path} is already {space.UsedPercent:F1}% used with {space.AvailableBytes / 1024 / 1024} MiB available");
        }

        var recipe = new JsonObject
        {
            ["file"] = Path.Combine(path, FilePrefix + context.FaultId + ".dat"),
            ["bytes"] = bytes,
            ["requested_bytes"] = wanted,
        };
        if (context.Target.Containers.Count > 0)
        {
            // If the container restarts meanwhile, its root is reached through its new pid.
            recipe["container"] = context.Target.Containers[0].Id;
            recipe["container_file"] = Path.Combine(InnerPath(context), FilePrefix + context.FaultId + ".dat");
        }

        return ValueTask.FromResult(recipe);
    }

    protected internal override async ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        var file = undo["file"]!.GetValue<string>();
        var bytes = undo["bytes"]!.GetValue<long>();
        // CreateNew is O_CREAT|O_EXCL: a link swapped in at the file's name is never followed. A
        // directory on the way swapped for a link after the check shows in where the file really is.
        using var handle = File.OpenHandle(file, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        if (undo["container"] is null && new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget is { } opened && opened != file)
        {
            File.Delete(opened);
            throw new InvalidOperationException($"disk_fill: {Path.GetDirectoryName(file)} changed into a link after it was checked (the file landed at {opened}); nothing was filled");
        }

        if (!FileSystems.TryAllocate(handle, bytes))
        {
            // No fallocate here (some FUSE and network filesystems): write the blocks instead.
            var chunk = new byte[1024 * 1024];
            Array.Fill(chunk, (byte)0xA5);
            for (long offset = 0; offset < bytes; offset += chunk.Length)
            {
                var length = (int)Math.Min(chunk.Length, bytes - offset);
                await RandomAccess.WriteAsync(handle, chunk.AsMemory(0, length), offset, cancellationToken).ConfigureAwait(false);
            }
        }

        RandomAccess.FlushToDisk(handle);
        return null;
    }

    /// <summary>A host fill is lost when its file was deleted or cut short (the space is free again); a container's is not watched.</summary>
    protected internal override string? EffectLost(JsonObject undo)
    {
        if (undo["container"] is not null)
        {
            return null;
        }

        var file = new FileInfo(undo["file"]!.GetValue<string>());
        var bytes = undo["bytes"]!.GetValue<long>();
        return !file.Exists ? $"its fill file {file.FullName} was deleted"
            : file.Length < bytes ? $"its fill file {file.FullName} was cut to {file.Length} of {bytes} bytes"
            : null;
    }

    protected internal override async ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        if (undo["file"]?.GetValue<string>() is { } file && File.Exists(file))
        {
            File.Delete(file);
            return;
        }

        // The container restarted (new pid) or stopped: find its file through Docker. A container
        // removed meanwhile took its writable layer, and the file, with it.
        if (undo["container"]?.GetValue<string>() is { } id && undo["container_file"]?.GetValue<string>() is { } inner && _docker is not null
            && await _docker.InspectAsync(id, cancellationToken).ConfigureAwait(false) is { } container)
        {
            var where = container.Running && container.Pid > 0 ? container.HostPath(inner)
                : container.UpperDir is { } upper ? upper + inner
                : null;
            if (where is not null && File.Exists(where))
            {
                File.Delete(where);
            }
        }
    }

    // Resolved inside the container's root (its links followed there, not on the host), so that
    // the check and the file agree.
    private static string InnerPath(FaultContext context)
    {
        var given = Path.GetFullPath(OptionsOf(context).Path ?? "/tmp").TrimEnd('/') is { Length: > 0 } p ? p : "/";
        try
        {
            return ContainedPath.Resolve(context.Target.Containers[0].HostPath(string.Empty), given);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Never the unresolved path: through /proc/PID/root its links would lead to the host.
            throw new ChaosValidationException($"parameters.{PathParameter}", given, $"a path whose links resolve inside the container ({ex.Message})");
        }
    }

    // A root that is itself a link is compared by where it leads; one that is not keeps its spelling.
    private static string RealRoot(string root)
    {
        var full = Path.GetFullPath(root);
        return LibC.RealPath(full) is { } real && real != full.TrimEnd('/') ? real : full;
    }

    private static string LexicalPath(FaultContext context) =>
        Path.GetFullPath(OptionsOf(context).Path ?? Path.GetTempPath()).TrimEnd('/') is { Length: > 0 } p ? p : "/";

    // Host paths are real paths (links resolved), so that the check and the file agree.
    private static string ResolvePath(FaultContext context) =>
        context.Target.Containers.Count > 0 ? context.Target.Containers[0].HostPath(InnerPath(context))
        : LibC.RealPath(LexicalPath(context)) ?? LexicalPath(context);
}
