namespace Bev.Chaos.Faults.Storage.DiskFill;

/// <summary>
/// Resolves a path as a process whose root is <c>root</c> would (a container's, reached through
/// <c>/proc/PID/root</c>): every link on the way is followed inside that root — an absolute target
/// starts again at the root, <c>..</c> never climbs above it. Through <c>/proc/PID/root</c> the
/// kernel would resolve an absolute link against the engine's root instead, so a container's
/// <c>/tmp/l -> /etc</c> would lead to the host's <c>/etc</c>; resolving first and checking the
/// result closes that.
/// </summary>
internal static class ContainedPath
{
    // As the kernel's limit on links followed in one lookup.
    private const int MaxLinks = 40;

    /// <summary>The path inside the root (absolute, no links, no dots) that <paramref name="innerPath"/> leads to.</summary>
    /// <exception cref="IOException">More than 40 links on the way (a loop).</exception>
    public static string Resolve(string root, string innerPath)
    {
        var pending = new Stack<string>(Split(innerPath).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var host = root.TrimEnd('/') + "/" + string.Join('/', resolved.Append(part));
            var target = new FileInfo(host).LinkTarget;
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"too many links on the way to {innerPath}");
            }

            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }

            foreach (var next in Split(target).Reverse())
            {
                pending.Push(next);
            }
        }

        return "/" + string.Join('/', resolved);
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
