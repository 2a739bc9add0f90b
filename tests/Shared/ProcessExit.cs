using System.Diagnostics;
using System.Globalization;

namespace Bev.Chaos.TestSupport;

/// <summary>Waits for a started process to exit, with a deadline, so that a process that ignores its stop signal fails the test instead of hanging it.</summary>
internal static class ProcessExit
{
    /// <summary>Waits up to <paramref name="timeout"/> for <paramref name="process"/> to exit; kills its tree and fails the test when it does not.</summary>
    public static async Task WithinAsync(Process process, TimeSpan timeout, string what)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{what} did not exit within {timeout.TotalSeconds:F0} s{SignalHint()}");
        }
    }

    /// <summary>
    /// Signals a test sends to a child are lost when this test process inherited them as ignored
    /// (a shell without job control starts background jobs with SIGINT and SIGQUIT ignored, and
    /// .NET keeps an inherited SIG_IGN): say so, rather than leave a puzzling timeout.
    /// </summary>
    public static void RequireSignalDeliverable(int signal)
    {
        if (IsIgnoredHere(signal))
        {
            Assert.Fail($"signal {signal} is ignored by this test process (it was started as a background job of a shell without job control); run ./test.sh in the foreground, or with 'set -m'");
        }
    }

    private static string SignalHint() =>
        IsIgnoredHere(2) ? "; note: SIGINT is ignored by this test process and so by its children (started as a background job without job control)" : string.Empty;

    private static bool IsIgnoredHere(int signal)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
            && (mask & (1UL << (signal - 1))) != 0;
    }
}
