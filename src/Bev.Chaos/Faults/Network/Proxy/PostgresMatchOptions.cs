using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>The PostgreSQL faults' query matcher: left out, it matches every query.</summary>
internal record PostgresMatchOptions
{
    /// <summary>Only queries matching this regular expression.</summary>
    [FaultOption("query", "Only queries matching this regular expression (simple or extended protocol); default: every query.")]
    public string? Query { get; init; }
}
