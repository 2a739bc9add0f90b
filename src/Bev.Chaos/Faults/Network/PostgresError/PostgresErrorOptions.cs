using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.PostgresError;

/// <summary>The options of <c>postgres_error</c>: the query matcher and the error.</summary>
internal sealed record PostgresErrorOptions : PostgresMatchOptions
{
    /// <summary>The SQLSTATE.</summary>
    [FaultOption("sqlstate", "The SQLSTATE: 40001 (serialization_failure), 57P01 (admin_shutdown), 53300 (too_many_connections), …")]
    public string SqlState { get; init; } = "40001";

    /// <summary>The error message.</summary>
    [FaultOption("message", "The error message.")]
    public string? Message { get; init; }

    /// <summary>ERROR (the session goes on) or FATAL (the connection closes after it).</summary>
    [FaultOption("severity", "ERROR (the session goes on) or FATAL (the connection closes after it).", AllowedValues = ["ERROR", "FATAL"])]
    public string Severity { get; init; } = "ERROR";
}
