namespace Bev.Chaos.Scenarios;

/// <summary>What part of the system a scenario exercises.</summary>
public enum ScenarioCategory
{
    /// <summary>The network between services: latency, partitions.</summary>
    Network,
    /// <summary>CPU and memory pressure.</summary>
    Compute,
    /// <summary>Disks: filling them, slowing their I/O.</summary>
    Storage,
    /// <summary>The service itself: crashes, error answers, exhausted connections.</summary>
    Application,
    /// <summary>A service's dependencies and the calls between services.</summary>
    Integration,
    /// <summary>Failures that spread from one service to the next.</summary>
    Cascading,
}

/// <summary>How involved a scenario is.</summary>
public enum ScenarioComplexity
{
    /// <summary>One fault on one service.</summary>
    Simple,
    /// <summary>One heavier or wider fault, such as a partition or a full disk.</summary>
    Moderate,
    /// <summary>Several faults (and load) at once.</summary>
    Complex,
    /// <summary>A sequence of faults building on each other, such as a cascade.</summary>
    Advanced,
}
