using System.Diagnostics;

namespace Bev.Chaos.Deploy.Tests.Samples;

/// <summary>A sample program running with a data directory of its own; its output collected line by line.</summary>
internal sealed class RunningSample : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TempDirectory _data = new();
    private bool _disposed;

    public RunningSample(string program)
    {
        _process = Tool.Start(program, [], Path.GetDirectoryName(program), new Dictionary<string, string?>
        {
            ["BEV_CHAOS_DATA_DIR"] = _data.Path,
            ["BEV_CHAOS_CONFIG"] = null,
        });
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data is null ? null : "stderr: " + e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>The first output line starting with <paramref name="prefix"/>, once it is there.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var line = await Poll.UntilAsync(() => Line(prefix), l => l is not null || _process.HasExited, timeout, $"a line '{prefix}…' from the sample");
        return line ?? Line(prefix) ?? throw new Xunit.Sdk.XunitException($"the sample exited without saying '{prefix}…': {Output}");
    }

    public string? Line(string prefix)
    {
        lock (_lines)
        {
            return _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    public void CloseInput() => _process.StandardInput.Close();

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the sample did not end within {timeout.TotalSeconds:0} s: {Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
        _data.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}
