using System.Globalization;

namespace Bev.Chaos;

/// <summary>Durations as users write them: <c>30</c> (seconds), <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>.</summary>
public static class DurationText
{
    /// <summary>Parses a duration; false for anything else, including negatives.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var t = text.Trim();
        var (number, unit) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1.0)
            : t.EndsWith('m') ? (t[..^1], 60.0)
            : t.EndsWith('h') ? (t[..^1], 3600.0)
            : (t, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || double.IsNaN(n) || n * unit > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(n * unit);
        return true;
    }

    /// <summary>Formats compactly: <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1m30s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
        }

        if (value.TotalSeconds % 3600 == 0)
        {
            return $"{value.TotalHours.ToString(CultureInfo.InvariantCulture)}h";
        }

        if (value.TotalSeconds % 60 == 0)
        {
            return $"{value.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m";
        }

        return value.TotalSeconds < 60
            ? $"{value.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"
            : $"{(int)value.TotalMinutes}m{(value.TotalSeconds % 60).ToString(CultureInfo.InvariantCulture)}s";
    }
}
