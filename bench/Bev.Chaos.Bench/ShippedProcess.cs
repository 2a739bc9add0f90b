using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Bev.Chaos.Bench;

/// <summary>
/// A process of the shipped entry points as a user starts it: <c>./bev-chaos</c> at the repository
/// root (the launcher), or a yardstick beside it. Its stdout is read line by line (a server says
/// where it listens there); its stderr (a server's JSON logs) is drained so it never blocks.
/// </summary>
internal sealed partial class ShippedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>();

    private ShippedProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The repository root: <c>BEV_CHAOS_ROOT</c> (bench/run.sh sets it), else the folder above the bench holding <c>bev-chaos</c>.</summary>
    public static string Root { get; } = Environment.GetEnvironmentVariable("BEV_CHAOS_ROOT") is { Length: > 0 } root ? root : FindRoot();

    /// <summary>The launcher users run: <c>./bev-chaos</c>.</summary>
    public static string Launcher => Path.Combine(Root, "bev-chaos");

    /// <summary>What the launcher executes once nothing needs building.</summary>
    public static string BuiltCli => Path.Combine(Root, ".build", "cli", "bev-chaos");

    /// <summary>The yardstick program (bare Kestrel, or an empty .NET program).</summary>
    public static string Bare => Path.Combine(AppContext.BaseDirectory, "Bev.Chaos.BareKestrel");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ShippedProcess Start(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new ShippedProcess(Process.Start(info)!);
    }

    /// <summary>Waits for the first stdout line containing <paramref name="text"/> (a server's "listening" line).</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(deadline.Token))
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no line with '{text}' from process {Id} within {timeout.TotalSeconds} s");
        }

        throw new InvalidOperationException($"process {Id} ended (exit {(_process.HasExited ? _process.ExitCode : -1)}) before saying '{text}'");
    }

    /// <summary>Sends SIGINT (Ctrl-C: a bev-chaos command then removes what it holds) and waits for the exit.</summary>
    public async Task InterruptAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            _ = SendSignal(_process.Id, 2);
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            throw new TimeoutException($"process {Id} did not exit within {timeout.TotalSeconds} s of SIGINT");
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>A free loopback port (bound and released: the kernel hands out another next).</summary>
    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Runs a command to its exit and returns its wall time from exec to exit, in ms, its stdout and its stderr.</summary>
    public static async Task<(double Ms, int Exit, string Output, string Errors)> TimeAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (ms, process.ExitCode, await output, await errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await InterruptAsync(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                // Killed above; nothing more to do.
            }
        }

        _process.Dispose();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "bev-chaos")) && File.Exists(Path.Combine(dir.FullName, "Bev.Chaos.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (bev-chaos beside Bev.Chaos.slnx) above " + AppContext.BaseDirectory + "; set BEV_CHAOS_ROOT");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
