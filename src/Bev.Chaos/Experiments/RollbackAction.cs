namespace Bev.Chaos.Experiments;

/// <summary>
/// A user's rollback step, run after the experiment's faults are removed — always, whatever the
/// verdict: an HTTP request (<see cref="Url"/>, <see cref="Method"/>) or a command (<see cref="Command"/>).
/// </summary>
public sealed record RollbackAction
{
    public required string Name { get; init; }

    public Uri? Url { get; init; }

    public string Method { get; init; } = "POST";

    /// <summary>argv of a program to run.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
