namespace Bev.Chaos.Experiments;

/// <summary>An experiment in flight: its status, and the approval it may be waiting for.</summary>
public sealed class ExperimentRun
{
    private readonly TaskCompletionSource _approval = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort = new();

    internal ExperimentRun(string id, ExperimentConfig config, DateTimeOffset started)
    {
        Id = id;
        Config = config;
        Started = started;
    }

    /// <summary>The run's id: <c>exp-</c> and 12 hex digits, as in its result and on the API.</summary>
    public string Id { get; }

    /// <summary>The experiment being run, its probes and loads that name a target given that target's catalog URL.</summary>
    public ExperimentConfig Config { get; }

    /// <summary>When it was started.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>The phase it is in now.</summary>
    public ExperimentStatus Status { get; internal set; }

    /// <summary>The faults it holds now.</summary>
    public IReadOnlyList<string> ActiveFaultIds { get; internal set; } = [];

    /// <summary>Ends with the verdict.</summary>
    public Task<ExperimentResult> Completion { get; internal set; } = Task.FromResult<ExperimentResult>(null!);

    /// <summary>Why it was aborted from outside, if it was.</summary>
    public string? AbortReason { get; private set; }

    internal Task Approval => _approval.Task;

    internal CancellationToken AbortToken => _abort.Token;

    internal void Approve() => _approval.TrySetResult();

    internal void Abort(string reason)
    {
        AbortReason ??= reason;
        _abort.Cancel();
    }
}
