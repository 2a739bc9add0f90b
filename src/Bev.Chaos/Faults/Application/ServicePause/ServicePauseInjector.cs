using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Helpers;
using Bev.Chaos.Targets.Docker;
using Bev.Chaos.Targets.Linux;
using static Bev.Chaos.Faults.Application.ServicePause.ServicePauseConstants;

namespace Bev.Chaos.Faults.Application.ServicePause;

/// <summary>
/// Freezes the target: SIGSTOP to each process (state T), or with <c>method: freezer</c> the
/// cgroup freezer on a child cgroup made for the fault (state D, invisible to the target).
/// Removal sends SIGCONT, or thaws and dissolves the child. A docker target is paused through the
/// Docker API (<c>docker pause</c>, the freezer docker manages) and unpaused on removal.
/// </summary>
internal sealed class ServicePauseInjector(DockerEngine? docker = null) : FaultInjector<ServicePauseOptions>
{
    public override string Name => ServicePauseConstants.Name;

    /// <inheritdoc />
    public override bool ExclusivePerTarget => true;

    public override FaultCategory Category => FaultCategory.Application;

    public override string Description => "Freezes the target's processes (SIGSTOP or the cgroup freezer); removal thaws them.";

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        if (OptionsOf(context).UsesFreezer)
        {
            CgroupConfinement.RejectNested(context.Target, "freezer", errors);
        }
    }

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken)
    {
        if (context.Target.Containers.Count > 0)
        {
            return ValueTask.FromResult(new JsonObject { [Method] = DockerMethod, ["containers"] = new JsonArray([.. context.Target.Containers.Select(c => JsonValue.Create(c.Id))]) });
        }

        if (OptionsOf(context).UsesFreezer)
        {
            CgroupLayout.Require("freezer", Name);
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

    protected internal override async ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        if (undo[Method]!.GetValue<string>() == DockerMethod)
        {
            foreach (var id in Containers(undo))
            {
                await Docker.PauseAsync(id, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }

        if (undo[Method]!.GetValue<string>() == FreezerMethod)
        {
            if (CgroupConfinement.IsV2(undo))
            {
                // v2's freezer is cgroup.freeze in every non-root cgroup (Linux 5.2+); no controller to enable.
                CgroupConfinement.ApplyV2(undo, child =>
                {
                    if (!File.Exists(Path.Combine(CgroupV2.PathOf(child), "cgroup.freeze")))
                    {
                        throw new FeatureUnavailableException($"{Name} with method freezer needs cgroup.freeze (cgroup v2, Linux 5.2 or later)");
                    }

                    CgroupV2.Write(child, "cgroup.freeze", "1");
                });
                return null;
            }

            CgroupConfinement.Apply(undo, (_, _) => { });
            var child = undo["child"]!.GetValue<string>();
            CgroupV1.Write("freezer", child, "freezer.state", "FROZEN");
            return null;
        }

        var signalled = new List<ProcessIdentity>();
        foreach (var process in Processes(undo))
        {
            if (process.IsAlive && LibC.TrySignal(process.Pid, LibC.SIGSTOP))
            {
                signalled.Add(process);
            }
        }

        await WaitUntilStoppedAsync(signalled, cancellationToken).ConfigureAwait(false);
        return null;
    }

    // kill(2) returns once SIGSTOP is queued; the target stops when it next runs (at once unless it
    // sleeps uninterruptibly). The fault is reported active when the target is seen stopped, so
    // that "injected" means "in effect"; a process still in D after the wait stops on its own later.
    private static async Task WaitUntilStoppedAsync(List<ProcessIdentity> processes, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)StopWait.TotalMilliseconds;
        while (processes.Any(p => p.IsAlive && ProcFs.TryReadStat(p.Pid)?.State is not ('T' or 't' or 'Z' or 'X' or null)) && Environment.TickCount64 < deadline)
        {
            // The kernel's time, not the experiment's: a fake clock must not hold an injection.
            await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(2);

    protected internal override async ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken)
    {
        if (undo[Method]?.GetValue<string>() == DockerMethod)
        {
            // A container removed or restarted meanwhile is no longer paused: nothing to undo.
            foreach (var id in Containers(undo))
            {
                if (await Docker.InspectAsync(id, cancellationToken).ConfigureAwait(false) is { Paused: true })
                {
                    await Docker.UnpauseAsync(id, cancellationToken).ConfigureAwait(false);
                }
            }

            return;
        }

        if (undo[Method]?.GetValue<string>() == FreezerMethod && CgroupConfinement.IsV2(undo))
        {
            CgroupConfinement.RevertV2(undo, child => CgroupV2.Write(child, "cgroup.freeze", "0"));
            return;
        }

        if (undo[Method]?.GetValue<string>() == FreezerMethod)
        {
            CgroupConfinement.Revert(undo, (controller, child) => CgroupV1.Write(controller, child, "freezer.state", "THAWED"));
            return;
        }

        foreach (var process in Processes(undo))
        {
            if (process.IsAlive)
            {
                LibC.TrySignal(process.Pid, LibC.SIGCONT);
            }
        }
    }

    /// <summary>
    /// A signal pause is lost when none of the processes it stopped is stopped any more (someone
    /// sent SIGCONT); a freezer pause when its cgroup was thawed or removed, or the target moved
    /// out of it. A container's pause is not watched.
    /// </summary>
    protected internal override string? EffectLost(JsonObject undo)
    {
        if (undo[Method]?.GetValue<string>() == FreezerMethod)
        {
            return CgroupConfinement.EffectLost(undo) ?? Thawed(undo);
        }

        var stopped = Processes(undo).Where(p => p.IsAlive).ToList();
        if (undo[Method]?.GetValue<string>() == DockerMethod || stopped.Count == 0)
        {
            return null;
        }

        return stopped.Any(p => ProcFs.TryReadStat(p.Pid)?.State is 'T' or 't') ? null : $"its target runs again (pid {stopped[0].Pid} is no longer stopped)";
    }

    private static string? Thawed(JsonObject undo)
    {
        var child = undo["child"]!.GetValue<string>();
        var frozen = CgroupConfinement.IsV2(undo)
            ? CgroupV2.Read(child, "cgroup.freeze").Trim() == "1"
            : CgroupV1.Read("freezer", child, "freezer.state").Trim() is "FROZEN" or "FREEZING";
        return frozen ? null : $"its cgroup {child} was thawed";
    }

    private DockerEngine Docker => docker ?? throw new FeatureUnavailableException("service_pause on a container needs a Docker daemon (none configured)");

    private static IEnumerable<string> Containers(JsonObject undo) =>
        (undo["containers"]?.AsArray() ?? []).Select(n => n!.GetValue<string>());

    private static IEnumerable<ProcessIdentity> Processes(JsonObject undo) =>
        (undo["stopped"]?.AsArray() ?? []).Select(n => ProcessIdentity.Parse(n!.GetValue<string>()));
}
