namespace Bev.Chaos.Faults;

/// <summary>What a fault acts on.</summary>
public enum FaultCategory
{
    Network,
    Compute,
    Storage,
    Application,
}
