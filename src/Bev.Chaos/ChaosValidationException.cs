namespace Bev.Chaos;

/// <summary>One problem with user input: the field, the value given and what is allowed.</summary>
/// <param name="Field">The field, parameter or key (e.g. <c>parameters.load_percent</c>).</param>
/// <param name="Value">The value given, as text; null when the field was missing.</param>
/// <param name="Allowed">What would have been accepted.</param>
/// <param name="Location">File and line for input from a file (<c>chaos.yaml:12</c>), else null.</param>
public sealed record ValidationError(string Field, string? Value, string Allowed, string? Location = null)
{
    /// <summary>One line for people: <c>chaos.yaml:12: global.max_concurrent_experiments: 0 is not allowed; allowed: 1..100</c>.</summary>
    public override string ToString()
    {
        var where = Location is null ? string.Empty : Location + ": ";
        var value = Value is null ? "missing" : $"'{Value}' is not allowed";
        return $"{where}{Field}: {value}; allowed: {Allowed}";
    }
}

/// <summary>Bad input, with every problem found (not only the first). Nothing was applied.</summary>
public sealed class ChaosValidationException : Exception
{
    /// <summary>Bad input with every problem in <paramref name="errors"/>; the message lists them, one a line.</summary>
    public ChaosValidationException(IReadOnlyList<ValidationError> errors)
        : base(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
    {
        Errors = errors;
    }

    /// <summary>Bad input with one problem.</summary>
    /// <param name="field">The field, parameter or key (e.g. <c>parameters.load_percent</c>).</param>
    /// <param name="value">The value given, as text; null when the field was missing.</param>
    /// <param name="allowed">What would have been accepted.</param>
    public ChaosValidationException(string field, string? value, string allowed)
        : this([new ValidationError(field, value, allowed)])
    {
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }
}
