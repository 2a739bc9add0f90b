using System.Diagnostics;

namespace Bev.Chaos.TestSupport;

/// <summary>Waits for a real effect by polling it, with a deadline — never a fixed sleep.</summary>
internal static class Poll
{
    public static Task<T> UntilAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan timeout, string what) =>
        UntilAsync(read, done, timeout, value => $"timed out after {timeout.TotalSeconds:F1} s waiting for {what}; last value: {value}");

    /// <summary>As the other, with the failure's message made when it times out (to say what was seen then).</summary>
    public static async Task<T> UntilAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan timeout, Func<T, string> failure)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        T value = read();
        while (!done(value))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                Assert.Fail(failure(value));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
            value = read();
        }

        return value;
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(condition, v => v, timeout, what);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:F1} s waiting for {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Lets real time pass for a measurement window (not a wait for an effect).</summary>
    public static Task MeasureWindowAsync(TimeSpan window) => Task.Delay(window, TestContext.Current.CancellationToken);
}
