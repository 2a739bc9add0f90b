namespace Bev.Chaos.Faults;

/// <summary>The type of a fault parameter.</summary>
public enum FaultParameterType
{
    /// <summary>A whole number (<c>long</c>).</summary>
    Integer,
    /// <summary>A finite number, fractions allowed (<c>double</c>).</summary>
    Number,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
    /// <summary>Text, limited to a list of allowed values when the parameter has one.</summary>
    String,
}
