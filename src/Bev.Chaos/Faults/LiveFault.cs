using System.Text.Json.Nodes;

namespace Bev.Chaos.Faults;

/// <summary>A fault this engine holds: its injector, its undo recipe, the in-process handle and the listing's view.</summary>
internal sealed class LiveFault(FaultInjector injector, JsonObject undo, IAsyncDisposable? handle, ActiveFault snapshot)
{
    public FaultInjector Injector { get; } = injector;

    public JsonObject Undo { get; } = undo;

    /// <summary>In-process resources only (a helper's process object); the recipe undoes the effect.</summary>
    public IAsyncDisposable? Handle { get; } = handle;

    public ActiveFault Snapshot { get; } = snapshot;

    public string FaultId => Snapshot.FaultId;

    public ITimer? Expiry { get; set; }

    /// <summary>What the effect watch saw vanish, once it did; null while the effect holds.</summary>
    public string? EffectLost { get; set; }

    /// <summary>How many looks in a row saw the effect gone (one can be a signal still on its way).</summary>
    public int EffectMisses { get; set; }

    // Set by whoever removes the fault first; later removers wait on it.
    public TaskCompletionSource? Removal;
}
