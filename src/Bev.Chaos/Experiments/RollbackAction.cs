namespace Bev.Chaos.Experiments;

/// <summary>
/// A user's rollback step, run after the experiment's faults are removed — always, whatever the
/// verdict: an HTTP request (<see cref="Url"/>, <see cref="Method"/>) or a command (<see cref="Command"/>).
/// </summary>
public sealed record RollbackAction
{
    /// <summary>The step's name in reasons and logs (<c>name</c>; unnamed: <c>rollback1</c>, <c>rollback2</c>, …).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The URL to request (<c>url</c>); a status outside 2xx fails the step. Null: the step runs
    /// <see cref="Command"/> instead.
    /// </summary>
    public Uri? Url { get; init; }

    /// <summary>The HTTP method of the <see cref="Url"/> request (<c>method</c>); default POST.</summary>
    public string Method { get; init; } = "POST";

    /// <summary>argv of a program to run.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>
    /// How long the step may take (<c>timeout</c>; default 10 s): past it the request is cancelled, or the
    /// command's process tree killed, and the step fails.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
