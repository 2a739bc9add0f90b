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

    public string Id { get; }

    public ExperimentConfig Config { get; }

    public DateTimeOffset Started { get; }

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
