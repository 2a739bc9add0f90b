using System.Diagnostics;
using System.Globalization;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Faults.Helpers;

/// <summary>
/// A running effect carrier (<c>Bev.Chaos.Helper</c>). Its standard input is its lifeline: the
/// helper exits as soon as the engine closes it or dies, and at its own time to live anyway.
/// </summary>
internal sealed class HelperProcess : IAsyncDisposable
{
    private readonly Process _process;

    private HelperProcess(Process process, ProcessIdentity identity, string readyDetail)
    {
        _process = process;
        Identity = identity;
        ReadyDetail = readyDetail;
    }

    /// <summary>The helper as the kernel knows it, for the undo recipe.</summary>
    public ProcessIdentity Identity { get; }

    /// <summary>What the helper said after "ready" (e.g. connections made).</summary>
    public string ReadyDetail { get; }

    /// <summary>
    /// Starts a helper, lets <paramref name="beforeReady"/> place it (cgroups), and waits until it
    /// reports its effect in place.
    /// </summary>
    public static async Task<HelperProcess> StartAsync(string mode, IReadOnlyDictionary<string, string> options, TimeSpan timeToLive, Action<ProcessIdentity>? beforeReady, CancellationToken cancellationToken)
    {
        var command = new List<string> { mode, "--ttl-ms", ((long)Math.Ceiling(timeToLive.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) };
        foreach (var (key, value) in options)
        {
            if (value.Contains(' ', StringComparison.Ordinal) || value.Length == 0)
            {
                throw new ArgumentException($"helper option {key} must be one word: '{value}'", nameof(options));
            }

            command.Add("--" + key);
            command.Add(value);
        }

        var standby = await Standby.TryTakeAsync().ConfigureAwait(false);
        Standby.Refill();
        var (process, identity) = standby ?? Launch(command);
        try
        {
            beforeReady?.Invoke(identity);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            if (standby is not null)
            {
                await process.StandardInput.WriteLineAsync(string.Join(' ', command).AsMemory(), timeout.Token).ConfigureAwait(false);
                await process.StandardInput.FlushAsync(timeout.Token).ConfigureAwait(false);
            }

            var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            if (line is null || !line.StartsWith("ready", StringComparison.Ordinal))
            {
                var error = await process.StandardError.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
                throw new InvalidOperationException($"helper '{mode}' failed to start: {(string.IsNullOrWhiteSpace(error) ? line ?? "exited" : error.Trim())}");
            }

            // Keep draining its output so the helper never blocks on a full pipe.
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            return new HelperProcess(process, identity, line.Length > 6 ? line[6..] : string.Empty);
        }
        catch
        {
            Kill(identity);
            process.Dispose();
            throw;
        }
    }

    private static (Process Process, ProcessIdentity Identity) Launch(IReadOnlyList<string> arguments)
    {
        var (file, prefix) = Locate();
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in prefix.Concat(arguments))
        {
            start.ArgumentList.Add(arg);
        }

        // A helper needs little of the runtime: no server GC, no tiered compilation delays.
        start.Environment["DOTNET_TieredPGO"] = "0";
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_GCgen0size"] = "0x400000";

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the helper " + file);
        return (process, ProcessIdentity.TryRead(process.Id) ?? new ProcessIdentity(process.Id, 0));
    }

    /// <summary>
    /// One helper started ahead of need and waiting for its command, so the next helper-carried
    /// fault skips process start-up. It dies with the engine like any helper (its lifeline is open
    /// from the start).
    /// </summary>
    private static class Standby
    {
        private static readonly Lock Gate = new();
        private static Task<(Process, ProcessIdentity)?>? _next;

        // A standby still starting is taken too: the rest of its start-up is shorter than a whole one.
        public static async Task<(Process Process, ProcessIdentity Identity)?> TryTakeAsync()
        {
            Task<(Process, ProcessIdentity)?>? next;
            lock (Gate)
            {
                next = _next;
                _next = null;
            }

            if (next is null)
            {
                return null;
            }

            var taken = await next.ConfigureAwait(false);
            return taken is { } t && t.Item2.IsAlive ? t : null;
        }

        /// <summary>Ends the standby helper, if one waits.</summary>
        public static void Stop()
        {
            Task<(Process, ProcessIdentity)?>? next;
            lock (Gate)
            {
                next = _next;
                _next = null;
            }

            if (next is { IsCompletedSuccessfully: true, Result: { } standby })
            {
                Kill(standby.Item2);
                standby.Item1.Dispose();
            }
        }

        public static void Refill()
        {
            if (Environment.GetEnvironmentVariable("BEV_CHAOS_HELPER_STANDBY") == "0")
            {
                return;
            }

            lock (Gate)
            {
                _next ??= Task.Run(StartStandbyAsync);
            }
        }

        private static async Task<(Process, ProcessIdentity)?> StartStandbyAsync()
        {
            try
            {
                var (process, identity) = Launch(["standby"]);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
                if (line == "standby")
                {
                    return (process, identity);
                }

                Kill(identity);
                return null;
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception or FeatureUnavailableException)
            {
                return null;
            }
        }
    }

    /// <summary>Ends the warm standby helper (an engine shutting down calls this; the next fault starts one afresh).</summary>
    public static void StopStandby() => Standby.Stop();

    /// <summary>Kills the helper recorded in an undo recipe, if that very process still runs.</summary>
    public static void Kill(ProcessIdentity identity)
    {
        if (identity.IsAlive)
        {
            LibC.TrySignal(identity.Pid, LibC.SIGKILL);
        }
    }

    /// <summary>Cuts the lifeline and makes sure the helper is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }

        Kill(Identity);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // SIGKILL was sent; the kernel will reap it.
        }

        _process.Dispose();
    }

    private static (string File, string[] Prefix) Locate()
    {
        var configured = Environment.GetEnvironmentVariable("BEV_CHAOS_HELPER");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured.EndsWith(".dll", StringComparison.Ordinal) ? (DotnetHost(), [configured]) : (configured, []);
        }

        // Beside the program (a build of this repository, the bev-chaos tool, a program whose build
        // copied the helper from the Bev.Chaos package), else beside this library's assembly (a
        // host that loads the library from a folder of its own).
        var libraryDir = Path.GetDirectoryName(typeof(HelperProcess).Assembly.Location);
        string[] dirs = string.IsNullOrEmpty(libraryDir) ? [AppContext.BaseDirectory] : [AppContext.BaseDirectory, libraryDir];
        foreach (var dir in dirs)
        {
            // A package's zip keeps no execute bit: an apphost unpacked from one is skipped for the dll.
            var apphost = Path.Combine(dir, "Bev.Chaos.Helper");
            if (IsExecutable(apphost))
            {
                return (apphost, []);
            }

            var dll = Path.Combine(dir, "Bev.Chaos.Helper.dll");
            if (File.Exists(dll))
            {
                return (DotnetHost(), [dll]);
            }
        }

        throw new FeatureUnavailableException($"the effect helper Bev.Chaos.Helper is missing from {string.Join(" and ", dirs.Distinct(StringComparer.Ordinal))}; rebuild, reference the Bev.Chaos package (its build copies the helper to the output), or set BEV_CHAOS_HELPER");
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>The dotnet host that runs this process, so the helper uses the same runtime (a program started by its apphost has no dotnet on PATH necessarily).</summary>
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        // The runtime directory is DOTNET_ROOT/shared/Microsoft.NETCore.App/VERSION/.
        var runtimeDir = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var besideRuntime = Path.Combine(root, "dotnet");
        if (File.Exists(besideRuntime))
        {
            return besideRuntime;
        }

        var dotnetRoot = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        return !string.IsNullOrEmpty(dotnetRoot) && File.Exists(Path.Combine(dotnetRoot, "dotnet")) ? Path.Combine(dotnetRoot, "dotnet") : "dotnet";
    }
}
