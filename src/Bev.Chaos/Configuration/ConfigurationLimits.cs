using System.Globalization;

namespace Bev.Chaos.Configuration;

/// <summary>How a number is written and read.</summary>
internal enum NumberKind
{
    /// <summary>Any number.</summary>
    Number,

    /// <summary>A whole number.</summary>
    Whole,

    /// <summary>A percentage: a number, or a number with <c>%</c> (<c>50</c> and <c>50%</c> are the same).</summary>
    Percent,
}

/// <summary>The bounds of one numeric setting and how to say them.</summary>
internal sealed record NumberLimit(NumberKind Kind, double Min, double Max)
{
    public string Allowed => Kind switch
    {
        NumberKind.Whole => $"a whole number from {F(Min)} to {F(Max)}",
        NumberKind.Percent => $"a percentage from {F(Min)} to {F(Max)} (e.g. {F(Max / 2)} or {F(Max / 2)}%)",
        _ => $"a number from {F(Min)} to {F(Max)}",
    };

    // Written this way round so that NaN is outside.
    public bool Contains(double value) => value >= Min && value <= Max;

    public static string F(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The bounds of one duration setting; a plain number counts in <see cref="PlainUnit"/> (seconds, or milliseconds).</summary>
internal sealed record DurationLimit(TimeSpan Min, TimeSpan Max, bool PlainMilliseconds = false)
{
    public string Allowed => $"a duration from {DurationText.Format(Min)} to {DurationText.Format(Max)} ({PlainUnit}, or with ms/s/m/h)";

    public string PlainUnit => PlainMilliseconds ? "milliseconds" : "seconds";

    public bool Contains(TimeSpan value) => value >= Min && value <= Max;

    /// <summary>Reads <c>5</c> (in the plain unit), <c>250ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>; false for anything else, negatives included.</summary>
    public bool TryParse(string text, out TimeSpan value)
    {
        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
        {
            value = default;
            if (!double.IsFinite(plain) || plain < 0 || plain > TimeSpan.FromDays(365).TotalSeconds)
            {
                return false;
            }

            value = PlainMilliseconds ? TimeSpan.FromMilliseconds(plain) : TimeSpan.FromSeconds(plain);
            return true;
        }

        return DurationText.TryParse(text, out value);
    }
}

/// <summary>
/// The bounds of every setting of <c>chaos_engineer.yaml</c>, in one place: the loader names them
/// when a value cannot be read at all, the validator checks them whatever built the configuration.
/// </summary>
internal static class ConfigurationLimits
{
    public static readonly NumberLimit MaxConcurrentExperiments = new(NumberKind.Whole, 1, 100);
    public static readonly DurationLimit SafetyCheckInterval = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
    public static readonly NumberLimit EmergencyStopThreshold = new(NumberKind.Number, 0, 1);
    public static readonly DurationLimit MaxFaultDuration = new(TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
    public static readonly DurationLimit DefaultFaultDuration = new(TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));

    public static readonly NumberLimit InjectorCap = new(NumberKind.Number, 0, 1e12);
    public static readonly DurationLimit InjectorMaxDuration = new(TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));

    public static readonly DurationLimit SafetyMonitoringInterval = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
    public static readonly NumberLimit MaxCpuUsage = new(NumberKind.Percent, 1, 100);
    public static readonly NumberLimit MaxMemoryUsage = new(NumberKind.Percent, 1, 100);
    public static readonly NumberLimit MaxErrorRate = new(NumberKind.Percent, 0, 100);
    public static readonly DurationLimit MaxResponseTime = new(TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10), PlainMilliseconds: true);

    public static readonly DurationLimit RestartDelay = new(TimeSpan.Zero, TimeSpan.FromMinutes(10));
    public static readonly NumberLimit Pid = new(NumberKind.Whole, 1, int.MaxValue);
    public static readonly NumberLimit Port = new(NumberKind.Whole, 1, 65535);
    public static readonly NumberLimit Count = new(NumberKind.Whole, 1, 10_000);
    public static readonly NumberLimit Percent = new(NumberKind.Whole, 1, 100);

    public static readonly DurationLimit ProbeTimeout = new(TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
    public static readonly DurationLimit RollbackTimeout = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
    public static readonly DurationLimit ExperimentTimeout = new(TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
    public static readonly DurationLimit AgentLease = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));

    /// <summary>The most catalog entries (<c>targets:</c>) one configuration may hold.</summary>
    public const int MaxTargets = 10_000;

    /// <summary>The most entries of each other list or mapping (injectors, agents, tokens, schedules).</summary>
    public const int MaxEntries = 1_000;

    /// <summary>Shortest secret a token (API or agent) may have.</summary>
    public const int MinTokenLength = 16;
}
