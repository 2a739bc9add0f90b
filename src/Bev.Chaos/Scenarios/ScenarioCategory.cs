namespace Bev.Chaos.Scenarios;

/// <summary>What part of the system a scenario exercises.</summary>
public enum ScenarioCategory
{
    Network,
    Compute,
    Storage,
    Application,
    Integration,
    Cascading,
}

/// <summary>How involved a scenario is.</summary>
public enum ScenarioComplexity
{
    Simple,
    Moderate,
    Complex,
    Advanced,
}
