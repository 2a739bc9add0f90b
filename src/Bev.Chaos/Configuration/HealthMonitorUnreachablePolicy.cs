using System.Globalization;

namespace Bev.Chaos.Configuration;

/// <summary>
/// What an unreachable health monitor (<c>integration.health_monitor_unreachable</c>) means for a
/// running experiment: <c>abort</c> (a breach at the first failed read), <c>ignore</c> (the local
/// thresholds still apply), or <c>breach_after:N</c> (a breach once N reads in a row failed; a
/// successful read starts the count again). Default <c>breach_after:3</c>: one lost read (the
/// monitor restarting, a timeout) does not abort every experiment, while a monitor gone for three
/// safety samples leaves the experiment blind, which is itself unsafe.
/// </summary>
/// <param name="BreachAfter">Consecutive failed reads that make a breach; 0 = never (ignore), 1 = abort.</param>
public sealed record HealthMonitorUnreachablePolicy(int BreachAfter)
{
    /// <summary>What the key accepts, as the error message says it.</summary>
    public const string Allowed = "abort, ignore or breach_after:N (N consecutive failed reads, 1 to 100)";

    /// <summary>A breach at the first failed read.</summary>
    public static HealthMonitorUnreachablePolicy Abort { get; } = new(1);

    /// <summary>Failed reads are never a breach.</summary>
    public static HealthMonitorUnreachablePolicy Ignore { get; } = new(0);

    /// <summary>The default, <c>breach_after:3</c>.</summary>
    public static HealthMonitorUnreachablePolicy Default { get; } = new(3);

    /// <summary>Parses <c>abort</c>, <c>ignore</c> or <c>breach_after:N</c> (N from 1 to 100); false for anything else.</summary>
    public static bool TryParse(string? text, out HealthMonitorUnreachablePolicy policy)
    {
        policy = Default;
        switch (text)
        {
            case "abort":
                policy = Abort;
                return true;
            case "ignore":
                policy = Ignore;
                return true;
            case not null when text.StartsWith("breach_after:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan("breach_after:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100:
                policy = new HealthMonitorUnreachablePolicy(n);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The configuration spelling.</summary>
    public override string ToString() => BreachAfter switch
    {
        0 => "ignore",
        1 => "abort",
        _ => string.Create(CultureInfo.InvariantCulture, $"breach_after:{BreachAfter}"),
    };
}
