namespace Bev.Chaos.Faults;

/// <summary>The type of a fault parameter.</summary>
public enum FaultParameterType
{
    Integer,
    Number,
    Boolean,
    String,
}
