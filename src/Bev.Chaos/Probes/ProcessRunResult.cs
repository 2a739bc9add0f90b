namespace Bev.Chaos.Probes;

/// <summary>How a command run by <see cref="ProcessRunner"/> ended.</summary>
/// <param name="ExitCode">Its exit code; null when it was killed at its timeout before it exited.</param>
/// <param name="Stdout">Its standard output (what it wrote before it ended).</param>
/// <param name="Stderr">Its standard error.</param>
/// <param name="TimedOut">True when the timeout passed and its process tree was killed.</param>
/// <param name="Elapsed">From start to end.</param>
public sealed record ProcessRunResult(int? ExitCode, string Stdout, string Stderr, bool TimedOut, TimeSpan Elapsed)
{
    /// <summary>True when it exited by itself with code 0.</summary>
    public bool Succeeded => !TimedOut && ExitCode == 0;
}
