namespace Bev.Chaos.Faults;

/// <summary>A fault's life: injecting → active → removing → removed; failed when injection or removal failed.</summary>
public enum FaultState
{
    Injecting,
    Active,
    Removing,
    Removed,
    Failed,
}
