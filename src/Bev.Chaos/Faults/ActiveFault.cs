using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Faults;

/// <summary>A fault that is (or was being) in effect, as listings show it.</summary>
public sealed record ActiveFault(
    string FaultId,
    string Injector,
    string Target,
    string? Profile,
    IReadOnlyDictionary<string, object> Parameters,
    FaultState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    ProcessIdentity Owner)
{
    /// <summary>The processes the fault was applied to (empty when read back from the journal).</summary>
    public IReadOnlyList<ProcessIdentity> TargetProcesses { get; init; } = [];

    /// <summary>Time left at <paramref name="now"/>.</summary>
    public TimeSpan Remaining(DateTimeOffset now) => ExpiresAt > now ? ExpiresAt - now : TimeSpan.Zero;
}
