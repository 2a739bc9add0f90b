using System.Text.Json.Nodes;
using Bev.Chaos.Faults;

namespace Bev.Chaos.TestSupport;

/// <summary>
/// An injector whose "effect" is a marker file: real enough to see applied and reverted from any
/// process (the undo recipe names the file), with switches to make apply or revert fail.
/// </summary>
internal sealed class RecordingInjector(string directory) : FaultInjector
{
    public const string InjectorName = "recording";

    public bool FailApply { get; set; }

    public bool FailRevert { get; set; }

    /// <summary>When set, the apply with this number (1-based) throws this exception once its marker is written.</summary>
    public (int Number, Exception Error)? FailApplyNumber { get; set; }

    /// <summary>When set, every apply awaits it before writing its marker (an injection held mid-apply).</summary>
    public Func<Task>? BeforeApply { get; set; }

    private int _applies;

    public int Reverts;

    public override string Name => InjectorName;

    public override FaultCategory Category => FaultCategory.Application;

    public override string Description => "Writes a marker file.";

    public override IReadOnlyList<FaultParameter> Parameters { get; } =
    [
        FaultParameter.Integer("level", "A number.", 5, 1, 10, "max_level"),
        FaultParameter.Text("mode", "A mode.", "soft", "soft", "hard"),
    ];

    public override IReadOnlyDictionary<string, FaultProfile> Profiles => LightMediumHeavy(
        new Dictionary<string, object> { ["level"] = 1L },
        new Dictionary<string, object> { ["level"] = 5L },
        new Dictionary<string, object> { ["level"] = 9L, ["mode"] = "hard" },
        TimeSpan.FromSeconds(20));

    public static string MarkerFor(string directory, string faultId) => Path.Combine(directory, faultId + ".marker");

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new JsonObject { ["marker"] = MarkerFor(directory, context.FaultId) });

    protected internal override async ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        if (BeforeApply is { } before)
        {
            await before();
        }

        File.WriteAllText(undo["marker"]!.GetValue<string>(), context.Parameters.ToJson());
        if (FailApplyNumber is { } failure && Interlocked.Increment(ref _applies) == failure.Number)
        {
            throw failure.Error;
        }

        if (FailApply)
        {
            throw new InvalidOperationException("apply failed on purpose");
        }

        return null;
    }

    protected internal override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reverts);
        if (FailRevert)
        {
            throw new InvalidOperationException("revert failed on purpose");
        }

        File.Delete(undo["marker"]!.GetValue<string>());
        return ValueTask.CompletedTask;
    }
}
