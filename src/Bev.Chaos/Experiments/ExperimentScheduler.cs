using System.Collections.Concurrent;
using Bev.Chaos.Configuration;
using Cronos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bev.Chaos.Experiments;

/// <summary>
/// Runs scheduled scenarios on their cron expressions (UTC). A schedule never overlaps itself: when
/// its previous run is still going at the next occurrence, that occurrence is skipped and counted.
/// </summary>
public sealed partial class ExperimentScheduler : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);
    private readonly Func<string, CancellationToken, Task> _run;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();

    /// <param name="schedules">The configured schedules; disabled ones are ignored.</param>
    /// <param name="run">Runs one scenario or suite by name.</param>
    /// <param name="timeProvider">The clock (a fake one in tests).</param>
    /// <param name="logger">Where starts, skips and failures are logged.</param>
    public ExperimentScheduler(IEnumerable<ScheduleDefinition> schedules, Func<string, CancellationToken, Task> run, TimeProvider? timeProvider = null, ILogger<ExperimentScheduler>? logger = null)
    {
        _run = run;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ExperimentScheduler>.Instance;
        foreach (var schedule in schedules.Where(s => s.Enabled))
        {
            var state = new State(schedule, CronExpression.Parse(schedule.Cron));
            _states[schedule.Name] = state;
            Arm(state);
        }
    }

    /// <summary>Per schedule: next occurrence, runs started, occurrences skipped because a run was still going.</summary>
    public IReadOnlyList<(string Name, DateTimeOffset? Next, int Started, int Skipped)> Status =>
        _states.Values.OrderBy(s => s.Definition.Name, StringComparer.Ordinal).Select(s => (s.Definition.Name, s.Next, s.Started, s.Skipped)).ToList();

    private void Arm(State state)
    {
        var now = _time.GetUtcNow();
        var next = state.Expression.GetNextOccurrence(now.UtcDateTime, TimeZoneInfo.Utc);
        state.Next = next is null ? null : new DateTimeOffset(next.Value, TimeSpan.Zero);
        state.Timer?.Dispose();
        if (state.Next is { } due && !_stopping.IsCancellationRequested)
        {
            state.Timer = _time.CreateTimer(_ => Fire(state), null, due - now, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire(State state)
    {
        if (state.Running is { IsCompleted: false })
        {
            state.Skipped++;
            LogSkipped(state.Definition.Name);
        }
        else
        {
            state.Started++;
            LogStarted(state.Definition.Name, state.Definition.Scenario);
            state.Running = RunSafelyAsync(state);
        }

        Arm(state);
    }

    private async Task RunSafelyAsync(State state)
    {
        try
        {
            await _run(state.Definition.Scenario, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(state.Definition.Name, ex.Message);
        }
    }

    /// <summary>Stops every schedule, cancels the runs still going and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var state in _states.Values)
        {
            state.Timer?.Dispose();
            if (state.Running is { } running)
            {
                try
                {
                    await running.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Schedule {Schedule}: starting {Scenario}")]
    private partial void LogStarted(string schedule, string scenario);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Schedule {Schedule}: skipped, its previous run is still going")]
    private partial void LogSkipped(string schedule);

    [LoggerMessage(EventId = 502, Level = LogLevel.Error, Message = "Schedule {Schedule} failed: {Error}")]
    private partial void LogFailed(string schedule, string error);

    private sealed class State(ScheduleDefinition definition, CronExpression expression)
    {
        public ScheduleDefinition Definition { get; } = definition;

        public CronExpression Expression { get; } = expression;

        public DateTimeOffset? Next { get; set; }

        public ITimer? Timer { get; set; }

        public Task? Running { get; set; }

        public int Started { get; set; }

        public int Skipped { get; set; }
    }
}
