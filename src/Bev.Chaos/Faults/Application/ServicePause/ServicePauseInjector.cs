using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Helpers;
using Bev.Chaos.Targets.Linux;
using static Bev.Chaos.Faults.Application.ServicePause.ServicePauseConstants;

namespace Bev.Chaos.Faults.Application.ServicePause;

/// <summary>
/// Freezes the target: SIGSTOP to each process (state T), or with <c>method: freezer</c> the
/// cgroup freezer on a child cgroup made for the fault (state D, invisible to the target).
/// Removal sends SIGCONT, or thaws and dissolves the child.
/// </summary>
internal sealed class ServicePauseInjector : FaultInjector
{
    public override string Name => ServicePauseConstants.Name;

    public override FaultCategory Category => FaultCategory.Application;

    public override string Description => "Freezes the target's processes (SIGSTOP or the cgroup freezer); removal thaws them.";

    public override IReadOnlyList<FaultParameter> Parameters { get; } =
    [
        FaultParameter.Text(Method, "signal (SIGSTOP/SIGCONT) or freezer (cgroup v1 freezer, needs root).", SignalMethod, SignalMethod, FreezerMethod),
    ];

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        if (context.Parameters.GetString(Method) == FreezerMethod)
        {
            CgroupConfinement.RejectNested(context.Target, "freezer", errors);
        }
    }

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken)
    {
        if (context.Parameters.GetString(Method) == FreezerMethod)
        {
            CgroupV1.Require("freezer", Name);
            var recipe = CgroupConfinement.Prepare("freezer", context.Target, context.FaultId);
            recipe[Method] = FreezerMethod;
            return ValueTask.FromResult(recipe);
        }

        var processes = new JsonArray();
        foreach (var process in context.Target.Processes)
        {
            processes.Add(process.ToString());
        }

        return ValueTask.FromResult(new JsonObject { [Method] = SignalMethod, ["stopped"] = processes });
    }

    protected internal override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        if (undo[Method]!.GetValue<string>() == FreezerMethod)
        {
            CgroupConfinement.Apply(undo, (_, _) => { });
            var child = undo["child"]!.GetValue<string>();
            CgroupV1.Write("freezer", child, "freezer.state", "FROZEN");
            return ValueTask.FromResult<IAsyncDisposable?>(null);
        }

        foreach (var process in Processes(undo))
        {
            if (process.IsAlive)
            {
                LibC.TrySignal(process.Pid, LibC.SIGSTOP);
            }
        }

        return ValueTask.FromResult<IAsyncDisposable?>(null);
    }

    protected internal override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        if (undo[Method]?.GetValue<string>() == FreezerMethod)
        {
            CgroupConfinement.Revert(undo, (controller, child) => CgroupV1.Write(controller, child, "freezer.state", "THAWED"));
            return ValueTask.CompletedTask;
        }

        foreach (var process in Processes(undo))
        {
            if (process.IsAlive)
            {
                LibC.TrySignal(process.Pid, LibC.SIGCONT);
            }
        }

        return ValueTask.CompletedTask;
    }

    private static IEnumerable<ProcessIdentity> Processes(JsonObject undo) =>
        (undo["stopped"]?.AsArray() ?? []).Select(n => ProcessIdentity.Parse(n!.GetValue<string>()));
}
