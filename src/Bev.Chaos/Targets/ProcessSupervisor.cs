using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Bev.Chaos.Configuration;
using Bev.Chaos.Events;
using Bev.Chaos.Targets.Linux;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bev.Chaos.Targets;

/// <summary>
/// Starts catalog targets that have a <c>command</c>, watches them and restarts them by their
/// policy — the auto-recovery role for local services. Writes <c>RUN_DIR/NAME.pid</c> (pid@start)
/// so other bev-chaos processes can find them.
/// </summary>
public sealed partial class ProcessSupervisor : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Managed> _managed = new(StringComparer.Ordinal);
    private readonly string _runDirectory;
    private readonly TimeProvider _time;
    private readonly ChaosEventStream? _events;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>A supervisor with nothing started yet; creates <paramref name="runDirectory"/> when missing.</summary>
    /// <param name="runDirectory">Where the managed targets' pid files and logs live.</param>
    /// <param name="timeProvider">The clock for restart delays and times; null: the system clock.</param>
    /// <param name="events">Where restarts are published; null: nowhere.</param>
    /// <param name="logger">Where the supervisor logs; null: nowhere.</param>
    public ProcessSupervisor(string runDirectory, TimeProvider? timeProvider = null, ChaosEventStream? events = null, ILogger<ProcessSupervisor>? logger = null)
    {
        _runDirectory = runDirectory;
        _time = timeProvider ?? TimeProvider.System;
        _events = events;
        _logger = logger ?? NullLogger<ProcessSupervisor>.Instance;
        Directory.CreateDirectory(runDirectory);
    }

    /// <summary>The pid file of a managed target.</summary>
    public static string PidFilePath(string runDirectory, string name) => Path.Combine(runDirectory, name + ".pid");

    /// <summary>The states of every managed target.</summary>
    public IReadOnlyList<ManagedProcessState> States => _managed.Values.Select(m => m.State).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    /// <summary>The running process of a managed target, or null.</summary>
    public ProcessIdentity? TryGetCurrent(string name) => _managed.TryGetValue(name, out var m) ? m.State.Current : null;

    /// <summary>The state of one managed target.</summary>
    public ManagedProcessState? GetState(string name) => _managed.TryGetValue(name, out var m) ? m.State : null;

    /// <summary>
    /// Starts every catalog target that has a command, except those already supervised here or
    /// running under another bev-chaos process (its pid file names a live process).
    /// </summary>
    public void StartAll(ChaosConfiguration configuration)
    {
        foreach (var definition in configuration.Targets.Values.Where(d => d.Kind == TargetKind.Process && d.Command is not null))
        {
            if (_managed.ContainsKey(definition.Name) || RunningElsewhere(definition.Name))
            {
                continue;
            }

            Start(definition);
        }
    }

    private bool RunningElsewhere(string name)
    {
        try
        {
            var text = File.ReadAllText(PidFilePath(_runDirectory, name)).Trim();
            return text.Contains('@', StringComparison.Ordinal) && ProcessIdentity.Parse(text).IsAlive;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Starts one managed target and watches it.</summary>
    public ProcessIdentity Start(TargetDefinition definition)
    {
        if (definition.Command is null)
        {
            throw new ArgumentException($"target '{definition.Name}' has no command", nameof(definition));
        }

        var managed = new Managed(definition);
        if (!_managed.TryAdd(definition.Name, managed))
        {
            throw new InvalidOperationException($"target '{definition.Name}' is already supervised");
        }

        ProcessIdentity identity;
        try
        {
            identity = Launch(managed);
        }
        catch
        {
            _managed.TryRemove(definition.Name, out _);
            throw;
        }

        managed.Watch = WatchAsync(managed);
        return identity;
    }

    /// <summary>Waits until a managed target runs a process other than <paramref name="previous"/>.</summary>
    public async Task<ProcessIdentity> WaitForRestartAsync(string name, ProcessIdentity previous, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var managed = _managed[name];
        while (true)
        {
            var restarted = managed.Restarted;
            if (managed.State.Current is { } current && current != previous)
            {
                return current;
            }

            await restarted.Task.WaitAsync(cts.Token).ConfigureAwait(false);
        }
    }

    private ProcessIdentity Launch(Managed managed)
    {
        var definition = managed.Definition;
        var start = new ProcessStartInfo(definition.Command![0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = definition.WorkingDirectory ?? string.Empty,
        };
        foreach (var arg in definition.Command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in definition.Environment)
        {
            start.Environment[key] = value;
        }

        if (definition.WorkingDirectory is { Length: > 0 } directory && !Directory.Exists(directory))
        {
            throw new InvalidOperationException(
                $"target '{definition.Name}': cannot start '{definition.Command[0]}': its working directory {directory} does not exist; create it, or change targets.{definition.Name}.working_directory in the configuration");
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start '{definition.Name}'");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            // A missing program is the usual case on a fresh machine: say which target, which program, and what to do.
            throw new InvalidOperationException(
                $"target '{definition.Name}': cannot start '{definition.Command[0]}': {(ex.NativeErrorCode == 2 ? "not found (on PATH, or at that path from the engine's directory), or its interpreter is missing" : ex.Message)}; install it, or change targets.{definition.Name}.command in the configuration", ex);
        }

        var identity = ProcessIdentity.TryRead(process.Id) ?? new ProcessIdentity(process.Id, 0);
        var log = Path.Combine(_runDirectory, definition.Name + ".log");
        process.OutputDataReceived += (_, e) => AppendLog(log, e.Data);
        process.ErrorDataReceived += (_, e) => AppendLog(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        managed.Process = process;
        managed.State = managed.State with { Current = identity };
        File.WriteAllText(PidFilePath(_runDirectory, definition.Name), identity.ToString());
        LogStarted(definition.Name, identity.Pid);
        return identity;
    }

    private async Task WatchAsync(Managed managed)
    {
        while (!_stopping.IsCancellationRequested)
        {
            var process = managed.Process!;
            try
            {
                await process.WaitForExitAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var exitedAt = _time.GetUtcNow();
            var code = process.ExitCode;
            managed.State = managed.State with { Current = null, LastExit = exitedAt };
            LogExited(managed.Definition.Name, process.Id, code);
            var restart = managed.Definition.Restart switch
            {
                RestartPolicy.Always => true,
                RestartPolicy.OnFailure => code != 0,
                _ => false,
            };
            if (!restart)
            {
                TryDelete(PidFilePath(_runDirectory, managed.Definition.Name));
                return;
            }

            try
            {
                await Task.Delay(managed.Definition.RestartDelay, _time, _stopping.Token).ConfigureAwait(false);
                var identity = Launch(managed);
                var now = _time.GetUtcNow();
                managed.State = managed.State with { Restarts = managed.State.Restarts + 1, LastRestart = now, LastDowntime = now - exitedAt };
                _events?.Publish(new TargetRestartedEvent(now, managed.Definition.Name, identity.Pid, now - exitedAt));
                var signal = managed.Restarted;
                managed.Restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal.TrySetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRestartFailed(managed.Definition.Name, ex.Message);
                return;
            }
        }
    }

    /// <summary>Stops every managed target (SIGCONT first, so a paused one can exit; then SIGTERM, then SIGKILL).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var managed in _managed.Values)
        {
            if (managed.Process is not { } process)
            {
                continue;
            }

            try
            {
                if (!process.HasExited)
                {
                    LibC.TrySignal(process.Id, LibC.SIGCONT);
                    LibC.TrySignal(process.Id, LibC.SIGTERM);
                    using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                    try
                    {
                        await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        process.Kill(entireProcessTree: true);
                        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // Never started or already reaped.
            }

            process.Dispose();
            TryDelete(PidFilePath(_runDirectory, managed.Definition.Name));
        }

        foreach (var managed in _managed.Values)
        {
            if (managed.Watch is { } watch)
            {
                await watch.ConfigureAwait(false);
            }
        }

        _stopping.Dispose();
    }

    private static void AppendLog(string path, string? line)
    {
        if (line is null)
        {
            return;
        }

        try
        {
            File.AppendAllText(path, line + "\n");
        }
        catch (IOException)
        {
            // Logs of a supervised service are best effort.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Started managed target {Target} as pid {Pid}")]
    private partial void LogStarted(string target, int pid);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Managed target {Target} (pid {Pid}) exited with code {Code}")]
    private partial void LogExited(string target, int pid, int code);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Could not restart managed target {Target}: {Error}")]
    private partial void LogRestartFailed(string target, string error);

    private sealed class Managed(TargetDefinition definition)
    {
        public TargetDefinition Definition { get; } = definition;

        public Process? Process { get; set; }

        public Task? Watch { get; set; }

        public volatile ManagedProcessState State = new(definition.Name, null, 0, null, null, null);

        public volatile TaskCompletionSource Restarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
