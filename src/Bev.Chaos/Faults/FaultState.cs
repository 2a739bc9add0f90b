namespace Bev.Chaos.Faults;

/// <summary>A fault's life: injecting → active → removing → removed; failed when injection or removal failed.</summary>
public enum FaultState
{
    /// <summary>The undo recipe is journaled; the effect is being applied.</summary>
    Injecting,
    /// <summary>The effect is in place until the fault expires or is removed.</summary>
    Active,
    /// <summary>The effect is being reverted.</summary>
    Removing,
    /// <summary>The effect was reverted; the fault is over.</summary>
    Removed,
    /// <summary>Injection or removal failed; the entry's error says why (after a failed removal the effect may remain).</summary>
    Failed,
}
