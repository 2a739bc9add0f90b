using System.Text.Json.Nodes;
using Bev.Chaos.Targets.Linux;
using static Bev.Chaos.Faults.Application.ServiceCrash.ServiceCrashConstants;

namespace Bev.Chaos.Faults.Application.ServiceCrash;

/// <summary>
/// Sends a signal (SIGKILL by default) to the target's processes. A crash cannot be undone; the
/// fault stays active for its duration as the window in which the service must recover, and a
/// managed target is restarted by the supervisor by its restart policy.
/// </summary>
internal sealed class ServiceCrashInjector : FaultInjector<ServiceCrashOptions>
{
    public ServiceCrashInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [Signal] = "SIGTERM" },
        new Dictionary<string, object> { [Signal] = "SIGKILL" },
        new Dictionary<string, object> { [Signal] = "SIGKILL" });

    public override string Name => ServiceCrashConstants.Name;

    public override FaultCategory Category => FaultCategory.Application;

    public override string Description => "Kills the target's processes with a signal; managed targets are restarted by their policy.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var processes = new JsonArray();
        foreach (var process in context.Target.Processes)
        {
            processes.Add(process.ToString());
        }

        return ValueTask.FromResult(new JsonObject { ["killed"] = processes });
    }

    protected internal override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken)
    {
        LibC.TryParseSignal(OptionsOf(context).SignalName, out var signal);
        var delivered = 0;
        foreach (var process in context.Target.Processes)
        {
            if (process.IsAlive && LibC.TrySignal(process.Pid, signal))
            {
                delivered++;
            }
        }

        return delivered == 0
            ? throw new InvalidOperationException($"no process of {context.Target.Name} was alive to receive {OptionsOf(context).SignalName}")
            : ValueTask.FromResult<IAsyncDisposable?>(null);
    }

    // Nothing to put back: the supervisor (or the service's own recovery) restarts it.
    protected internal override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
